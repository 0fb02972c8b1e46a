"""Hog interpreter speed: a 1M-iteration loop and a 10k-element array pipeline, in steps per second.

.venv/bin/python bench/hog.py [--repeat 3]

A step is what the step budget counts: one statement, one loop iteration (its condition) or one call.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queries.hog import Limits, execute  # noqa: E402

PROGRAMS = {
    "loop_1m": """
let s := 0
for (let i := 0; i < 1000000; i := i + 1) {
  s := s + i
}
return s
""",
    "while_1m": """
let i := 0
let s := 0
while (i < 1000000) {
  s := s + i % 7
  i := i + 1
}
return s
""",
    "array_pipeline_10k": """
let xs := range(10000)
let doubled := arrayMap(x -> x * 2, xs)
let odd := arrayFilter(x -> x % 3 = 1, doubled)
let total := arrayReduce((acc, x) -> acc + x, odd, 0)
let counts := {}
for (let x in odd) {
  let key := toString(x % 10)
  counts[key] := (counts[key] ?? 0) + 1
}
return [total, length(odd), counts['2']]
""",
    "fib_20": """
fun fib(n) {
  if (n < 2) return n
  return fib(n - 1) + fib(n - 2)
}
return fib(20)
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    limits = Limits(timeout_seconds=60, max_steps=100_000_000)
    execute("1 + 1")  # loads the parser
    for name, code in PROGRAMS.items():
        best = None
        for _ in range(args.repeat):
            outcome = execute(code, limits=limits)
            if outcome.error:
                raise SystemExit(f"{name}: {outcome.error}")
            if best is None or outcome.seconds < best.seconds:
                best = outcome
        rate = best.steps / best.seconds
        print(f"{name:20s} {best.seconds * 1000:9.1f} ms {best.steps:>10,d} steps {rate / 1e6:6.2f} M steps/s")


if __name__ == "__main__":
    main()
