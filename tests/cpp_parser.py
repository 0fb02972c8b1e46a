"""PostHog's C++ `hogql-parser` (dev extra), loaded for comparison with the Rust parser the server uses.

The extension imports `posthog.hogql.errors` when it loads; the PyPI `posthog` SDK owns the top-level `posthog`
name, so only the two submodules it needs are registered, and only if absent.
"""

import sys
import types


def load_cpp_parser():
    """The `hogql_parser` module, or None when it is not installed."""
    for name in ("posthog.hogql", "posthog.hogql.errors"):
        if name not in sys.modules:
            module = types.ModuleType(name)
            if name.endswith("errors"):
                for error in ("SyntaxError", "ParsingError", "NotImplementedError", "BaseHogQLError", "QueryError"):
                    setattr(module, error, type(error, (Exception,), {}))
            sys.modules[name] = module
    try:
        import hogql_parser
    except ImportError:
        return None
    return hogql_parser
