"""Benchmark: the command line as a user meets it — start-up time and batch throughput.

Run:  python benchmarks/cli_bench.py [--runs N] [--cases N]

Measures, with the installed `lenaguard` command run as a subprocess (wall-clock time, and
the CPU time of the process and its workers, which other load on the machine inflates less):

- `lenaguard --help`                                    (target: under 150 ms, median)
- `lenaguard assess examples/mm-newly-diagnosed.yaml`   (target: under 300 ms, median)
- `lenaguard assess DIR --json` over N generated cases  (target: at least 500 cases/s)

The generated cases are the bundled examples with their values varied (patient id, age,
weight, height, numeric lab values), written to a temporary folder. Python's bytecode cache is
allowed for the measured runs (a warm-up run writes it), as it is for an installed package.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ONE_CASE = EXAMPLES / "mm-newly-diagnosed.yaml"
TARGETS = {"help_ms": 150.0, "assess_ms": 300.0, "cases_per_s": 500.0}
VARIATION = 0.1
"""Numeric values are scaled by a random factor within ±10 %."""


def lenaguard_command() -> list[str]:
    """The installed console script next to this Python, else the module."""
    script = Path(sys.executable).with_name("lenaguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("lenaguard")
    return [found] if found else [sys.executable, "-m", "lenaguard.cli.app"]


def measured_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let the warm-up write the bytecode cache
    env["NO_COLOR"] = "1"
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], **kwargs: Any) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds (with the command's own workers) and the completed process."""
    cpu, start = _children_cpu(), time.perf_counter()
    completed = subprocess.run(command, env=env, check=False, **kwargs)
    return time.perf_counter() - start, _children_cpu() - cpu, completed


def startup_times(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall and CPU seconds over `runs`, after one warm-up run; output is discarded."""
    walls, cpus = [], []
    for index in range(runs + 1):
        wall, cpu, completed = timed(command, env, stdout=subprocess.DEVNULL)
        if completed.returncode not in (0, 4):
            raise SystemExit(f"{' '.join(command)} exited with {completed.returncode}")
        if index:
            walls.append(wall)
            cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def _vary(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    varied = value * rng.uniform(1 - VARIATION, 1 + VARIATION)
    return round(varied) if isinstance(value, int) else round(varied, 2)


def generated_case(template: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    """One example with its patient and lab values varied (valid ranges kept)."""
    case = yaml.safe_load(yaml.safe_dump(template))
    patient = case["patient"]
    patient["id"] = f"bench-{number:05d}"
    for key in ("weight_kg", "height_cm"):
        if key in patient:
            patient[key] = _vary(patient[key], rng)
    if "age_years" in patient:
        patient["age_years"] = min(95, max(18, patient["age_years"] + rng.randint(-5, 5)))
    for lab in case.get("labs", []):
        if "value" in lab:
            lab["value"] = _vary(lab["value"], rng)
    return case


def write_cases(folder: Path, count: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    templates = [yaml.safe_load(path.read_text()) for path in sorted(EXAMPLES.glob("*.yaml"))]
    for number in range(count):
        case = generated_case(templates[number % len(templates)], number, rng)
        (folder / f"case-{number:05d}.yaml").write_text(yaml.safe_dump(case, sort_keys=False))


def batch_run(
    command: list[str], folder: Path, env: dict[str, str]
) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of one `assess FOLDER --json`, its lines, and the invalid inputs."""
    wall, cpu, completed = timed(
        [*command, "assess", str(folder), "--json"], env, capture_output=True, text=True
    )
    lines = completed.stdout.splitlines()
    invalid = sum('"error":' in line[:200] for line in lines)
    return wall, cpu, len(lines), invalid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per start-up measure")
    parser.add_argument("--cases", type=int, default=1000, help="generated cases for the batch")
    parser.add_argument("--batch-runs", type=int, default=3)
    args = parser.parse_args()

    command = lenaguard_command()
    env = measured_env()
    load = os.getloadavg()[0]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{' '.join(command)} — Python {sys.version.split()[0]}, {cpus} CPUs")

    help_wall, help_cpu = startup_times([*command, "--help"], args.runs, env)
    assess_wall, assess_cpu = startup_times([*command, "assess", str(ONE_CASE)], args.runs, env)
    with tempfile.TemporaryDirectory(prefix="lenaguard-bench-") as tmp:
        folder = Path(tmp)
        write_cases(folder, args.cases)
        runs = [batch_run(command, folder, env) for _ in range(args.batch_runs)]
    seconds = statistics.median(run[0] for run in runs)
    cpu_seconds = statistics.median(run[1] for run in runs)
    lines, invalid = runs[0][2], runs[0][3]
    if lines != args.cases:
        raise SystemExit(f"the batch printed {lines} lines for {args.cases} cases")
    help_ms, assess_ms, per_second = help_wall * 1000, assess_wall * 1000, args.cases / seconds

    print(f"load average at the start: {load:.1f} (other processes slow every figure)")
    print(
        f"lenaguard --help             median {help_ms:6.0f} ms wall, {help_cpu * 1000:4.0f} ms "
        "CPU  (target < 150 ms)"
    )
    print(
        f"lenaguard assess ONE_CASE    median {assess_ms:6.0f} ms wall, "
        f"{assess_cpu * 1000:4.0f} ms CPU  (target < 300 ms)"
    )
    print(
        f"lenaguard assess DIR --json  {per_second:6.0f} cases/s over {args.cases} cases "
        f"({seconds:.2f} s wall, {cpu_seconds * 1000 / args.cases:.1f} ms CPU per case, "
        f"{invalid} invalid; target ≥ 500 cases/s)"
    )
    met = (
        help_ms < TARGETS["help_ms"]
        and assess_ms < TARGETS["assess_ms"]
        and per_second >= TARGETS["cases_per_s"]
    )
    print("all targets met" if met else "some targets not met")


if __name__ == "__main__":
    main()
