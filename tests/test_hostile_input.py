"""Hostile and malformed case files through the real command line.

Each input runs `python -m lenaguard.cli.app assess FILE --json` in a fresh process and must be
refused cleanly: exit code 2, no traceback, a message naming the problem, the child's peak
memory under 300 MB, and no hang (a 20-second guard). Text that is only odd (markup, terminal
escape sequences) in an otherwise valid file is assessed, and comes out neutralised in the text
report. The processes run a few at a time; each child's peak memory comes from `os.wait4` in a small
wrapper process, so pytest's own size does not leak into the figure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

MEMORY_LIMIT_KB = 300 * 1024
HANG_GUARD_S = 20
WORKERS = 2

BASE = """as_of: 2026-11-20
indication: mm_combination
patient: {id: "p-1", sex: male, age_years: 65, weight_kg: 80, height_cm: 175}
"""
MARKUP = "[bold red]x[/] [/oops] [link=http://evil]y[/link]"
ESCAPES = "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J\r\u202eevil"


def yaml_with(extra: str = "", patient: str = "") -> bytes:
    """BASE with more lines (top-level) or more patient fields."""
    text = BASE
    if patient:
        text = text.replace("height_cm: 175}", f"height_cm: 175, {patient}}}")
    return (text + extra).encode()


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` (escapes written as YAML escapes)."""
    return json.dumps(text)  # JSON string escapes are valid YAML double-quoted escapes


def billion_laughs() -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def deep(opening: str, closing: str, depth: int = 10_000) -> bytes:
    return (opening * depth + closing * depth).encode()


def deep_json_only(depth: int = 10_000) -> bytes:
    # An escaped surrogate pair (an emoji) is JSON that YAML cannot read: the JSON reader runs.
    return ('{"note": "a\\ud83d\\ude00b", "x": ' + "[" * depth + "]" * depth + "}").encode()


def lab_line(value: str, unit: str = "mg/dL", test: str = "creatinine", extra: str = "") -> bytes:
    item = f"{{test: {test}, value: {value}, unit: {quoted(unit)}, date: 2026-11-18{extra}}}"
    return yaml_with(f"labs:\n  - {item}\n")


def big_file(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        line = b"  - {test: anc, value: 1.5, unit: 10^3/uL, date: 2026-11-18}\n"
        with path.open("wb") as stream:
            stream.write(yaml_with("labs:\n"))
            written = 0
            block = line * 10_000
            while written < size:
                stream.write(block)
                written += len(block)

    return write


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes | Callable[[Path], None]
    says: str = ""
    """A fragment the error message must contain (case-insensitive)."""
    exit_code: int = 2
    suffix: str = ".yaml"


HOSTILE: list[Hostile] = [
    # files that are not case files
    Hostile("empty file", b"", "mapping"),
    Hostile("only a comment", b"# nothing here\n", "mapping"),
    Hostile("a list at the top level", b"- a\n- b\n", "mapping"),
    Hostile("a scalar at the top level", b"just some words\n", "mapping"),
    Hostile("a number at the top level", b"42\n", "mapping"),
    Hostile("broken YAML", b"patient: {id: [unclosed\n", "not valid YAML or JSON"),
    Hostile("NUL bytes", BASE.encode() + b"\x00\x00note: x\n", "NUL"),
    Hostile("binary bytes", bytes(range(256)) * 4, "UTF-8"),
    Hostile("PNG image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "UTF-8"),
    Hostile("Latin-1 text", BASE.replace("p-1", "Ren\xe9e").encode("latin-1"), "UTF-8"),
    Hostile("UTF-16 without a byte-order mark", BASE.encode("utf-16-le"), "NUL"),
    Hostile("UTF-32 with a byte-order mark", BASE.encode("utf-32"), "UTF-32"),
    # size
    Hostile("a 50 MB file", big_file(50_000_000), "limit"),
    Hostile("just over 1 MB", big_file(1_000_001), "limit"),
    Hostile("too many values under the size limit", b"x: [" + b"0," * 400_000 + b"0]\n", "values"),
    # YAML features
    Hostile("billion laughs", billion_laughs(), "aliases"),
    Hostile("one harmless alias", yaml_with("x: &a 1\ny: *a\n"), "aliases"),
    Hostile("python object tag", yaml_with("x: !!python/object:os.system {}\n"), "tag"),
    Hostile("binary tag", yaml_with("x: !!binary aGVsbG8=\n"), "tag"),
    Hostile("merge key", yaml_with("conditions: {<<: {diabetes: true}}\n"), "merge"),
    Hostile("a key written twice", BASE.encode() + b"indication: mcl\n", "twice"),
    Hostile(
        "a JSON key written twice",
        b'{"as_of": "2026-11-20", "as_of": "2026-11-21", "note": "\\ud83d\\ude00"}',
        "twice",
        suffix=".json",
    ),
    Hostile("two YAML documents", BASE.encode() + b"---\n" + BASE.encode(), "document"),
    Hostile("10,000-deep list", deep("[", "]"), "nested"),
    Hostile("10,000-deep mapping", deep("{a: ", "}"), "nested"),
    Hostile("10,000-deep JSON", deep_json_only(), "nested", suffix=".json"),
    Hostile("a key of 100,000 characters", yaml_with("k" * 100_000 + ": 1\n"), "characters"),
    # numbers
    Hostile("an integer of 5,000 digits", yaml_with("x: " + "9" * 5000 + "\n"), "value"),
    Hostile(
        "weight 1e300",
        yaml_with().replace(b"weight_kg: 80", b"weight_kg: 1.0e+300"),
        "far too large",
    ),
    Hostile(
        "a JSON integer of 5,000 digits",
        b'{"note": "\\ud83d\\ude00", "x": ' + b"9" * 5000 + b"}",
        "digits",
        suffix=".json",
    ),
    Hostile("weight .nan", yaml_with().replace(b"weight_kg: 80", b"weight_kg: .nan"), "finite"),
    Hostile("creatinine .inf", lab_line(".inf"), "finite"),
    Hostile(
        "creatinine -Infinity in JSON",
        b'{"as_of": "2026-11-20", "indication": "mm_combination", "patient": {"id": "p", '
        b'"sex": "male", "age_years": 65, "weight_kg": 80}, "labs": [{"test": "creatinine", '
        b'"value": -Infinity, "unit": "mg/dL", "date": "2026-11-18"}], "note": "\\ud83d\\ude00"}',
        "finite",
        suffix=".json",
    ),
    Hostile(
        "weight NaN in JSON", b'{"patient": {"weight_kg": NaN}, "note": "\\ud83d\\ude00"}', "finite"
    ),
    Hostile("creatinine 88 mg/dL (umol/L)", lab_line("88"), "looks like a result in umol/L"),
    Hostile("negative platelets", lab_line("-5", "10^3/uL", "platelets"), "not possible"),
    Hostile("age 130", yaml_with().replace(b"age_years: 65", b"age_years: 130"), "not possible"),
    Hostile("weight 0", yaml_with().replace(b"weight_kg: 80", b"weight_kg: 0"), "not possible"),
    Hostile("height in metres", yaml_with().replace(b"height_cm: 175", b"height_cm: 1.75"), "in m"),
    Hostile(
        "negative transfusion units",
        yaml_with("transfusions: [{date: 2026-11-01, kind: rbc, units: -2}]\n"),
        "transfusions.0.units",
    ),
    Hostile(
        "negative months without menses",
        yaml_with()
        .replace(b"sex: male", b"sex: female")
        .replace(
            b"height_cm: 175}", b"height_cm: 175, reproductive: {months_since_last_menses: -3}}"
        ),
        "months_since_last_menses",
    ),
    Hostile(
        "dose 1e20 mg",
        yaml_with("therapy: {events: [{date: 2026-11-01, event: start, dose_mg: 1.0e+20}]}\n"),
        "far too large",
    ),
    # wrong types
    Hostile("age as words", yaml_with().replace(b"age_years: 65", b"age_years: sixty"), "age"),
    Hostile("weight true", yaml_with().replace(b"weight_kg: 80", b"weight_kg: true"), "true"),
    Hostile("labs as a mapping", yaml_with("labs: {test: anc}\n"), "labs"),
    Hostile(
        "patient as a list", b"as_of: 2026-11-20\nindication: mcl\npatient: [1, 2]\n", "patient"
    ),
    Hostile("sex as a number", yaml_with().replace(b"sex: male", b"sex: 1"), "patient.sex"),
    Hostile("symptoms as text", yaml_with("symptoms: fever\n"), "symptoms"),
    Hostile(
        "a date that is not a date",
        lab_line("1.1").replace(b"2026-11-18", b"yesterday"),
        "labs.0.date",
    ),
    Hostile("time unquoted (YAML base 60)", lab_line("1.1", extra=", time: 12:30"), "quotes"),
    # dates
    Hostile("as_of in the year 9999", yaml_with().replace(b"2026-11-20", b"9999-12-31"), "as_of"),
    Hostile("a lab in year 1", lab_line("1.1").replace(b"2026-11-18", b"0001-01-01"), "born"),
    Hostile("a lab after as_of", lab_line("1.1").replace(b"2026-11-18", b"2027-01-01"), "after"),
    Hostile(
        "born in 1800",
        yaml_with().replace(b"age_years: 65", b"birth_date: 1800-01-01"),
        "patient.birth_date",
    ),
    # keys and text
    Hostile("unknown top-level key", yaml_with("notes: hello\n"), "unknown field"),
    Hostile("unknown nested key", yaml_with(patient="wieght_kg: 70"), "patient.wieght_kg"),
    Hostile(
        "an id of 500,000 characters", yaml_with().replace(b"p-1", b"x" * 500_000), "characters"
    ),
    Hostile(
        "a name of 1,000 characters", yaml_with(f"medications: [{{name: {'n' * 1000}}}]\n"), "200"
    ),
    Hostile("markup in a unit", lab_line("1.1", MARKUP), "not accepted"),
    Hostile(
        "escape sequences in a LOINC code",
        yaml_with(
            f"labs: [{{loinc: {quoted(ESCAPES)}, value: 1, unit: mg/dL, date: 2026-11-18}}]\n"
        ),
        "loinc",
    ),
    Hostile(
        "a lone surrogate in JSON",
        b'{"patient": {"id": "\\ud800"}, "note": "\\ud83d\\ude00"}',
        "",
        suffix=".json",
    ),
    Hostile(
        "two different results without times",
        yaml_with(
            "labs:\n  - {test: anc, value: 0.4, unit: 10^3/uL, date: 2026-11-18}\n"
            "  - {test: anc, value: 2.4, unit: 10^3/uL, date: 2026-11-18}\n"
        ),
        "labs.0 and labs.1",
    ),
]
# Valid files with odd text: assessed (exit 0), the text shown neutralised.
ODD_TEXT = {
    "markup in the patient id": yaml_with().replace(b'"p-1"', quoted(MARKUP).encode()),
    "escapes in the patient id": yaml_with().replace(b'"p-1"', quoted(ESCAPES).encode()),
    "markup in a medication name": yaml_with(f"medications: [{{name: {quoted(MARKUP)}}}]\n"),
    "escapes in a medication name": yaml_with(f"medications: [{{name: {quoted(ESCAPES)}}}]\n"),
    "escapes in an event note": yaml_with(
        "therapy: {events: [{date: 2026-11-01, event: start, dose_mg: 25, "
        f"note: {quoted(ESCAPES + MARKUP)}}}]}}\n"
    ),
}


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    peak_kb: int
    seconds: float


# Linux copies the high-water RSS of the address space a process had before exec into its
# ru_maxrss, so a child spawned straight from pytest reports at least pytest's own peak. The
# CLI is therefore started by this small wrapper, whose own child starts from a ~10 MB image;
# the wrapper writes that child's peak (from wait4) to the file named first.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(path: Path, *args: str) -> Run:
    """Run the CLI on one file in a fresh process and measure that process's own peak memory."""
    return run_measured("-m", "lenaguard.cli.app", "assess", str(path), *args)


def run_measured(*python_args: str) -> Run:
    """Run `python *python_args` in a fresh process; its own peak memory comes back."""
    import time

    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        peak_file = Path(scratch) / "peak"
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak_file), *python_args],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "COLUMNS": "200"},
            start_new_session=True,
        )
        guard = threading.Timer(HANG_GUARD_S, lambda: os.killpg(process.pid, signal.SIGKILL))
        guard.start()
        try:
            process.wait()
        finally:
            guard.cancel()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Run(
            exit_code=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_kb=int(peak_file.read_text()) if peak_file.exists() else MEMORY_LIMIT_KB,
            seconds=seconds,
        )


def _write(directory: Path, name: str, content: bytes | Callable[[Path], None], suffix: str):
    path = directory / (name.replace(" ", "_").replace("/", "_") + suffix)
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return path


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory) -> dict[str, Run]:
    """Every hostile input through the CLI, a few processes at a time."""
    directory = tmp_path_factory.mktemp("hostile")
    paths = {h.name: _write(directory, h.name, h.content, h.suffix) for h in HOSTILE}
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = dict(
            zip(paths, pool.map(lambda p: run_cli(p, "--json"), paths.values()), strict=True)
        )
    for path in paths.values():
        path.unlink()  # the 50 MB file does not outlive the module
    return runs


def test_the_table_is_long_enough():
    assert len(HOSTILE) >= 40
    assert len({h.name for h in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_input_is_refused_cleanly(hostile, hostile_runs):
    run = hostile_runs[hostile.name]
    output = run.stdout + run.stderr
    assert run.exit_code == 2, output[-2000:]
    assert "Traceback" not in output
    assert "internal error" not in output
    # with --json the refusal is the problem document on stdout, nothing else
    problem = json.loads(run.stdout)["error"]
    assert problem["title"] == "invalid case file" and problem["errors"]
    assert hostile.says.lower() in output.lower(), output[-2000:]
    assert run.peak_kb < MEMORY_LIMIT_KB, f"peak {run.peak_kb} kB"
    assert "\x1b" not in output  # the message quotes input: never as escape sequences


@pytest.fixture(scope="module")
def odd_text_runs(tmp_path_factory) -> dict[str, tuple[Run, Run]]:
    directory = tmp_path_factory.mktemp("odd")
    paths = {name: _write(directory, name, content, ".yaml") for name, content in ODD_TEXT.items()}

    def both(path: Path) -> tuple[Run, Run]:
        return run_cli(path), run_cli(path, "--json")

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(paths, pool.map(both, paths.values()), strict=True))


@pytest.mark.parametrize("name", sorted(ODD_TEXT))
def test_odd_text_is_assessed_and_shown_neutralised(name, odd_text_runs):
    report, as_json = odd_text_runs[name]
    for run in (report, as_json):
        assert run.exit_code == 0, (run.stdout + run.stderr)[-2000:]
        assert "Traceback" not in run.stdout + run.stderr
        assert run.peak_kb < MEMORY_LIMIT_KB
    for control in ("\x1b", "\x07", "\r", "\u202e"):
        assert control not in report.stdout
        if control != "\u202e":  # JSON writes control characters as \\u escapes
            assert control not in as_json.stdout
    json.loads(as_json.stdout)
    if name.endswith("patient id"):  # the header shows the id: as written, never obeyed
        shown = "[bold red]x[/]" if name.startswith("markup") else "\\x1b[31mred\\x1b[0m"
        assert shown in report.stdout


def test_the_size_limit_can_be_raised_by_the_environment(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(yaml_with("# " + "x" * 2000 + "\n"))
    os.environ["LENAGUARD_MAX_CASE_BYTES"] = "1000"
    try:
        refused = run_cli(path, "--json")
    finally:
        del os.environ["LENAGUARD_MAX_CASE_BYTES"]
    assert refused.exit_code == 2 and "1,000-byte limit" in refused.stdout + refused.stderr
    assert run_cli(path, "--json").exit_code == 0


def test_the_memory_figure_is_the_child_s_own():
    """A small child reads small although pytest is big; a 400 MB child reads above the limit."""
    ballast = bytearray(400 * 1024 * 1024)  # pytest itself grows past the limit
    ballast[::4096] = b"x" * len(ballast[::4096])
    small = run_measured("-c", "pass")
    big = run_measured("-c", "b = bytearray(400 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])")
    del ballast
    assert small.exit_code == 0 and small.peak_kb < 50 * 1024, small
    assert big.exit_code == 0 and big.peak_kb > MEMORY_LIMIT_KB, big
