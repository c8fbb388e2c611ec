"""Benchmark: knowledge-base load cost, case parsing, and assessments per second.

Run:  python benchmarks/assess_bench.py [--repeat N]

Reports, for every example case: the cost of parsing + validating the case file (YAML text →
Case), the cost of one assessment, and their ratio. The target is an assessment costing no
more than twice the parse + validate cost of its case file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from lenaguard.assess import assess
from lenaguard.caseio import parse_case_text
from lenaguard.knowledge import KnowledgeBase, default_knowledge

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 11, 20)


def _best_of(func, repeat: int, number: int) -> float:
    """Best mean seconds per call over `repeat` rounds of `number` calls."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        timings.append((time.perf_counter() - start) / number)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--number", type=int, default=50)
    args = parser.parse_args()

    load = _best_of(KnowledgeBase.load, args.repeat, 3)
    print(f"knowledge base load (all topics, validated): {load * 1000:.1f} ms")

    kb = default_knowledge()
    rows = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text()
        case = parse_case_text(text, today=TODAY)
        parse = _best_of(lambda t=text: parse_case_text(t, today=TODAY), args.repeat, args.number)
        run = _best_of(lambda c=case: assess(c, kb), args.repeat, args.number)
        rows.append((path.name, parse, run))

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'case':<{width}}  parse+validate  assess    ratio")
    for name, parse, run in rows:
        print(f"{name:<{width}}  {parse * 1e3:10.2f} ms {run * 1e3:7.2f} ms  {run / parse:5.2f}")
    ratios = [run / parse for _, parse, run in rows]
    runs = [run for _, _, run in rows]
    print(
        f"\n{len(rows)} cases: median assessment {statistics.median(runs) * 1e3:.2f} ms "
        f"({1 / statistics.mean(runs):.0f} assessments/s), "
        f"median ratio assess / parse {statistics.median(ratios):.2f}, worst {max(ratios):.2f} "
        f"(target ≤ 2)"
    )


if __name__ == "__main__":
    main()
