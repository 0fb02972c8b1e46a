"""HogQL parse time: each runner's own template and typical user text, Rust (the server's) against C++ (dev extra).

Times the bare parsers (JSON out) and our whole uncached `parse_select` (checks, parse, conversion to our AST).

    .venv/bin/python bench/parse.py [--repeat 50]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER_TEXTS = {
    "plain SELECT (120 chars)": "select event, count() from events where timestamp > now() - interval 7 day "
    "group by event order by 2 desc limit 10",
    "five nested calls": "select toString(toDate(toStartOfDay(toTimeZone(toDateTime(timestamp), 'UTC')))) from events",
    "join and filters": "select e.event, p.properties.email, count() from events e join persons p "
    "on e.person_id = p.id where e.properties.$browser = 'Chrome' and e.timestamp >= '2024-01-01' "
    "group by 1, 2 order by 3 desc",
    "breakdown expression": "properties.$browser",
    "math_hogql expression": "avg(toFloat(properties.amount)) * 100",
}


def runner_templates() -> dict[str, str]:
    """The texts runners hand the parser themselves (internal=True), as the corpus recorded them."""
    corpus = json.loads((ROOT / "tests" / "hogql_corpus.json").read_text())
    templates = [entry["text"] for entry in corpus if entry.get("internal") and "error" not in entry]
    return {f"runner template {i + 1} ({len(text)} chars)": text for i, text in enumerate(sorted(set(templates)))}


def median_ms(function, repeat: int) -> float:
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--repeat", type=int, default=50)
    args = arguments.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    from queries.hogql import parser
    from tests.cpp_parser import load_cpp_parser

    cpp = load_cpp_parser()
    print(f"{'text':44s} {'C++ ms':>8s} {'Rust ms':>8s} {'parse_select ms':>16s}")
    for name, text in {**USER_TEXTS, **runner_templates()}.items():
        kind = "expr" if "expression" in name else "select"
        cpp_function = cpp.parse_select_json if kind == "select" else cpp.parse_expr_json
        before = float("nan")
        if cpp:
            before = median_ms(lambda f=cpp_function, text=text: f(text, is_internal=False), args.repeat)
        after = median_ms(lambda kind=kind, text=text: parser.parse_json(kind, text), args.repeat)
        internal = name.startswith("runner")

        def uncached(kind=kind, text=text, internal=internal):
            if kind == "select":
                parser._parse_select_json.cache_clear()
                parser.parse_select(text, internal=internal)
            else:
                parser._parse_expr_json.cache_clear()
                parser.parse_expr(text)

        whole = median_ms(uncached, args.repeat)
        print(f"{name:44s} {before:8.3f} {after:8.3f} {whole:16.3f}")


if __name__ == "__main__":
    main()
