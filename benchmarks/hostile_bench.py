"""How long each hostile case file takes to be refused (target: well under a second).

    python benchmarks/hostile_bench.py [--repeat N]

Runs every input of tests/test_hostile_input.py through `lenaguard.caseio.load_case` in this
process (the knowledge base loaded once beforehand, as in a running service) and prints the
best time of N tries per input, and the process's peak memory at the end. The command line
adds its start-up (Python and the imports) to each of these; see tests/test_hostile_input.py
for the end-to-end check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lenaguard.caseio import CaseError, load_case  # noqa: E402
from lenaguard.knowledge import default_knowledge  # noqa: E402
from tests.test_hostile_input import HOSTILE, _write  # noqa: E402

TODAY = dt.date(2026, 11, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kb = default_knowledge()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for hostile in HOSTILE:
            path = _write(Path(directory), hostile.name, hostile.content, hostile.suffix)
            best, outcome = float("inf"), "accepted (!)"
            for _ in range(args.repeat):
                started = time.perf_counter()
                try:
                    load_case(path, today=TODAY, kb=kb)
                except CaseError as exc:
                    outcome = exc.problems[0].field
                best = min(best, time.perf_counter() - started)
            rows.append((hostile.name, path.stat().st_size, best, outcome))
            path.unlink()
    width = max(len(name) for name, *_ in rows)
    print(f"{'input':<{width}}  {'bytes':>11}  {'refused in':>10}  first field named")
    for name, size, seconds, outcome in rows:
        print(f"{name:<{width}}  {size:>11,}  {seconds * 1000:>8.1f} ms  {outcome}")
    slowest = max(rows, key=lambda row: row[2])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name, _, seconds, _ = slowest
    print(f"\n{len(rows)} inputs; slowest {name!r} {seconds * 1000:.1f} ms; peak {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
