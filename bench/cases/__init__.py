"""Benchmark cases, one module per area; each module has `cases(team_id) -> [(name, query node, hand SQL)]`.

A module added here is picked up by bench/run.py without further wiring.
"""

import importlib
import pkgutil


def all_cases(team_id: int) -> list[tuple[str, dict, str]]:
    collected = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        collected.extend(module.cases(team_id))
    return collected
