"""Import graph of the project's packages: circles and arrows between layers, from an `ast` walk.

    python scripts/import_graph.py            # summary: circles, upward arrows, largest modules
    python scripts/import_graph.py --edges    # every first-party arrow, "a -> b (line, local?)"

Module-level and function-level imports are both arrows; function-level ones are marked `local`.
The layers are the ones import-linter enforces (see pyproject.toml); this script only reports.
"""

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "config",
    "insights_server",
    "persons",
    "actions",
    "activity",
    "cohorts",
    "queries",
    "ingestion",
    "insights",
    "charts",
    "dashboards",
    "sharing",
    "alerts",
    "exports",
)
# Lower index = lower layer; packages on one level may not import each other unless listed as a group.
LAYERS = [
    {"insights_server"},
    {"persons", "actions", "activity", "cohorts", "definitions"},
    {"queries"},
    {"ingestion", "insights", "charts"},
    {"dashboards"},
    {"sharing", "alerts"},
    {"exports"},
    {"web"},
    {"config"},
]


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    for index, group in enumerate(LAYERS):
        if top in group:
            return index
    return -1


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def resolve(name: str, known: dict[str, Path]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int, bool]]:
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = resolve(alias.name, known)
                    if target:
                        found.append((target, child.lineno, local))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    target = resolve(f"{base}.{alias.name}", known) or resolve(base, known)
                    if target:
                        found.append((target, child.lineno, local))
            visit(child, inner)

    visit(tree, False)
    return [edge for edge in found if edge[0] != module]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                strongconnect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in list(graph):
        if node not in index:
            strongconnect(node)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true")
    args = parser.parse_args()
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    upward: list[str] = []
    local_count = 0
    for module, path in known.items():
        graph[module]
        for target, line, local in imports_of(module, path, known):
            # A package's __init__ importing its own submodules is not an arrow between rooms.
            graph[module].add(target)
            local_count += local
            if args.edges:
                print(f"{module} -> {target} ({line}{', local' if local else ''})")
            source_layer, target_layer = layer_of(module), layer_of(target)
            top_source, top_target = module.split(".")[0], target.split(".")[0]
            if top_source != top_target and (target_layer > source_layer or target_layer == source_layer):
                upward.append(f"{module}:{line} -> {target}{' (local)' if local else ''}")
    found = circles(graph)
    print(
        f"modules: {len(known)}, arrows: {sum(len(t) for t in graph.values())}, function-local imports: {local_count}"
    )
    print(f"circles: {len(found)}")
    for component in found:
        print(f"  {len(component)} modules: {', '.join(component)}")
    print(f"arrows upward or sideways between packages: {len(upward)}")
    for line in upward:
        print(f"  {line}")
    sizes = sorted(((len(path.read_text().splitlines()), name) for name, path in known.items()), reverse=True)[:5]
    print("largest modules: " + ", ".join(f"{name} ({lines})" for lines, name in sizes))


if __name__ == "__main__":
    main()
