"""Start-up cost, checked by what gets imported (wall-clock time is for benchmarks/cli_bench.py).

`lenaguard --help` must not load pydantic, PyYAML, the rules or rich (its help is plain), and
`import lenaguard` must load nothing heavy; an assessment with --json needs no rich at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import lenaguard

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mm-newly-diagnosed.yaml"

# Run lenaguard's entry point in a fresh interpreter, then list what it imported.
PROBE = """
import json, sys
sys.argv = ["lenaguard", *json.loads(sys.argv[1])]
from lenaguard.cli.app import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write(json.dumps(sorted(sys.modules)))
"""


def modules_after(*args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(completed.stderr.splitlines()[-1]))


def loaded(modules: set[str], *packages: str) -> set[str]:
    return {name for name in modules if name.split(".")[0] in packages or name in packages}


def test_import_lenaguard_loads_nothing_heavy():
    probe = "import sys, lenaguard; print(' '.join(sorted(sys.modules)))"
    modules = set(subprocess.check_output([sys.executable, "-c", probe], text=True).split())
    assert not loaded(modules, "pydantic", "yaml", "typer", "rich")
    assert not {name for name in modules if name.startswith("lenaguard.")} - {"lenaguard._version"}


def test_help_loads_neither_the_rules_nor_pydantic_nor_yaml_nor_rich():
    modules = modules_after("--help")
    assert not loaded(modules, "pydantic", "yaml", "rich")
    assert not {name for name in modules if name.startswith(("lenaguard.rules", "lenaguard.k"))}
    assert "lenaguard.assess" not in modules


def test_json_assessment_does_not_load_rich():
    modules = modules_after("assess", str(EXAMPLE), "--json")
    assert "lenaguard.assess" in modules
    assert not loaded(modules, "rich")
    assert "concurrent.futures.process" not in modules  # one input: no process pool


class TestLazyPublicApi:
    def test_every_public_name_resolves(self):
        for name in lenaguard.__all__:
            assert getattr(lenaguard, name) is not None, name

    def test_all_is_sorted_and_matches_the_lazy_table(self):
        assert lenaguard.__all__ == sorted(lenaguard.__all__)
        assert set(lenaguard.__all__) == set(lenaguard._HOMES)

    def test_assess_stays_the_function_after_its_module_is_imported(self):
        probe = (
            "import lenaguard.assess, lenaguard.caseio\n"
            "from lenaguard import assess\n"
            "import lenaguard\n"
            "assert callable(assess) and assess.__name__ == 'assess', assess\n"
            "assert lenaguard.assess is assess\n"
        )
        subprocess.run([sys.executable, "-c", probe], check=True)

    def test_an_unknown_name_is_an_attribute_error(self):
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            lenaguard.nothing  # noqa: B018

    def test_dir_lists_the_public_names(self):
        assert set(lenaguard.__all__) <= set(dir(lenaguard))
