"""Mutation testing of one rule module at a time, with mutmut 3 (outside CI).

Run:  pip install -e '.[test,mutation]'
      python benchmarks/mutation.py renal            # or starting_dose, hematologic
      python benchmarks/mutation.py renal --functions 'x_renal_band__mutmut_*'
      python benchmarks/mutation.py renal --recheck-survivors
      python benchmarks/mutation.py --list

Why a script: mutmut reads one `[tool.mutmut]` table from pyproject.toml, but each module needs
its own small, fast test selection. For a module named in `[tool.lenaguard.mutation.<name>]`
the script builds a scratch copy of the project under `.mutation/<name>/` (src, tests,
examples and a pyproject.toml whose `[tool.mutmut]` table mutates only that file and runs only
its tests),
runs `mutmut run` there, and prints killed / survived / timeout counts and the survivors'
names. The scratch copy keeps mutmut's cache, so a rerun tests only the changed functions and
`mutmut show <name>` works inside it. By default only the module's decision functions
(`decisions` in its table; a method as `Class.method`) are mutated; `--all` mutates every
function and `--functions` passes mutant-name globs (relative to the module). After adding tests,
`--recheck-survivors` reruns only the survivors of the last completed run (its verdicts are
saved in `.mutation/<name>/verdicts.json`) and keeps the other verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutation"


def _modules() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["lenaguard"]["mutation"]


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _pyproject_for(module: dict) -> str:
    """The project's pyproject.toml with `[tool.mutmut]` set to this module and its tests."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    tests = [test for test in module["tests"] if (ROOT / test).exists()]
    table = (
        "[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        'also_copy = ["examples", "docs"]\n'
        f"only_mutate = {_toml_list([module['mutate']])}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-m", "not hypothesis"]\n\n'
    )
    return re.sub(r"\[tool\.mutmut\]\n.*?\n\n(?=#|\[)", table, text, count=1, flags=re.S)


def _prepare(name: str, module: dict) -> Path:
    """Refresh the scratch copy (src, tests, examples, docs, pyproject) for one module; keep
    mutmut's cache."""
    work = SCRATCH / name
    work.mkdir(parents=True, exist_ok=True)
    for folder in ("src", "tests", "examples", "docs"):  # docs: tests read docs/case-file.md
        shutil.copytree(
            ROOT / folder,
            work / folder,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    (work / "pyproject.toml").write_text(_pyproject_for(module), "utf-8")
    return work


def _results(work: Path, module: dict) -> dict[str, str]:
    """Mutant name → status, read from mutmut's metadata file for the module."""
    from mutmut.stats import status_by_exit_code  # the optional `mutation` extra

    meta = work / "mutants" / (module["mutate"] + ".meta")
    data = json.loads(meta.read_text("utf-8"))
    return {key: status_by_exit_code[code] for key, code in data["exit_code_by_key"].items()}


def _function(mutant: str) -> str:
    """The function a mutant belongs to: 'pkg.mod.x_renal_band__mutmut_3' → 'renal_band'."""
    local = mutant.rpartition(".")[2].rpartition("__mutmut_")[0]
    if local.startswith("xǁ"):  # a method: xǁClassǁmethod
        return local.removeprefix("xǁ").replace("ǁ", ".")
    return local.removeprefix("x_")


def _pattern(decision: str) -> str:
    """The mutant-name glob of a function ('renal_band') or method ('_Tests.qualifies')."""
    owner, _, method = decision.rpartition(".")
    if owner:
        return f"xǁ{owner}ǁ{method}__mutmut_*"
    return f"x_{decision}__mutmut_*"


def _equivalent(name: str) -> dict[str, str]:
    """Mutants judged equivalent (cannot change any output), with why, for a module."""
    path = ROOT / "benchmarks" / "mutation_equivalent.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text("utf-8")).get(name, {})


def _report(title: str, results: dict[str, str], equivalent: dict[str, str]) -> None:
    """Counts by status, and the share of non-equivalent mutants killed (of those run)."""
    results = {key: status for key, status in results.items() if status != "not checked"}
    counts: dict[str, int] = {}
    for status in results.values():
        counts[status] = counts.get(status, 0) + 1
    survived = [key for key, status in results.items() if status == "survived"]
    judged = [key for key in survived if key.rpartition(".")[2] in equivalent]
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    relevant = len(results) - len(judged)
    share = 100 * killed / relevant if relevant else 100.0
    listing = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    print(f"{title}: {len(results)} mutants ({listing}); equivalent {len(judged)}; ")
    print(f"    non-equivalent killed {killed}/{relevant} = {share:.1f}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", help="a name from [tool.lenaguard.mutation]")
    parser.add_argument("--functions", nargs="*", default=[], help="mutant-name globs")
    parser.add_argument("--all", action="store_true", help="every function, not the decisions")
    parser.add_argument(
        "--recheck-survivors",
        action="store_true",
        help="rerun only the last run's survivors, keeping its other verdicts",
    )
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the configured modules")
    args = parser.parse_args()
    modules = _modules()
    if args.list or not args.module:
        for name, module in modules.items():
            print(f"{name}: {module['mutate']} ← {', '.join(module['tests'])}")
        return 0
    module = modules[args.module]
    work = _prepare(args.module, module)
    dotted = module["mutate"].removeprefix("src/").removesuffix(".py").replace("/", ".")
    patterns = args.functions
    previous: dict[str, str] = {}
    if args.recheck_survivors:
        # Tests were only added: a mutant killed before stays killed, so rerun the survivors
        # and keep the earlier verdicts (mutmut resets them when the test selection changes).
        saved = work / "verdicts.json"
        previous = json.loads(saved.read_text("utf-8")) if saved.exists() else {}
        patterns = [key.rpartition(".")[2] for key, st in previous.items() if st == "survived"]
        if not patterns:
            print("no survivors to recheck")
            return 0
    if not args.all and not patterns:
        patterns = [_pattern(name) for name in module.get("decisions", [])]
    names = [f"{dotted}.{pattern}" for pattern in patterns]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)]
    run = subprocess.run([*command, *names], cwd=work, env=env)
    if run.returncode not in (0, None):
        print(f"mutmut run exited with {run.returncode}", file=sys.stderr)
    results = _results(work, module)
    for key, status in previous.items():
        if results.get(key) == "not checked":
            results[key] = status
    checked = {key: status for key, status in results.items() if status != "not checked"}
    (work / "verdicts.json").write_text(json.dumps(checked, indent=0), "utf-8")
    equivalent = _equivalent(args.module)
    decisions = set(module.get("decisions", []))
    print()
    _report(module["mutate"], results, equivalent)
    in_decisions = {k: v for k, v in results.items() if _function(k) in decisions}
    _report("decision functions", in_decisions, equivalent)
    survivors = sorted(key for key, status in results.items() if status == "survived")
    if survivors:
        where = work.relative_to(ROOT)
        print(f"survivors (inspect with: cd {where}; mutmut show NAME):")
        for key in survivors:
            short = key.rpartition(".")[2]
            mark = "decision" if _function(key) in decisions else "wording"
            why = equivalent.get(short)
            print(f"  {short} [{mark}]" + (f"  equivalent: {why}" if why else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
