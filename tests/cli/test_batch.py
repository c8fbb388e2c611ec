"""`lenaguard assess` over several inputs: folders, standard input, JSON lines, exit codes."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from lenaguard.cli import batch
from lenaguard.cli.exit_codes import ExitCode
from lenaguard.cli.sources import Source
from tests.cli.runner import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
READY = EXAMPLES / "frp-ready.yaml"
NOT_READY = EXAMPLES / "frp-not-ready.yaml"  # assessed, with findings that block it


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def folder_of(tmp_path: Path, *paths: Path, bad: str | None = None) -> Path:
    """A folder with copies of `paths` and, if given, an invalid case file `bad`."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in paths:
        shutil.copy(path, folder / path.name)
    if bad is not None:
        (folder / bad).write_text("patient: 3\n")
    return folder


def single_json(capsys, monkeypatch, path: Path) -> dict:
    code, out, _ = run(capsys, monkeypatch, "assess", str(path), "--json")
    assert code == 0
    return json.loads(out)


class TestJsonLines:
    def test_one_compact_line_per_input_in_input_order(self, capsys, monkeypatch):
        code, out, err = run(capsys, monkeypatch, "assess", str(NOT_READY), str(READY), "--json")
        assert (code, err) == (0, "")
        assert len(out.splitlines()) == 2
        assert all(": " not in line[:40] for line in out.splitlines())  # compact separators
        first, second = lines(out)
        assert [first["source"], second["source"]] == [str(NOT_READY), str(READY)]
        assert set(first) == {"source", "assessment"}

    def test_each_line_carries_the_same_assessment_as_a_single_run(self, capsys, monkeypatch):
        _, out, _ = run(capsys, monkeypatch, "assess", str(READY), str(NOT_READY), "--json")
        batch_results = [line["assessment"] for line in lines(out)]
        assert batch_results == [
            single_json(capsys, monkeypatch, READY),
            single_json(capsys, monkeypatch, NOT_READY),
        ]

    def test_an_invalid_input_is_a_problem_line_and_the_others_still_run(
        self, capsys, monkeypatch, tmp_path
    ):
        folder = folder_of(tmp_path, READY, NOT_READY, bad="a-bad.json")
        code, out, err = run(capsys, monkeypatch, "assess", str(folder), "--json")
        assert code == 2
        assert err == ""
        bad, *good = lines(out)
        assert bad["source"] == str(folder / "a-bad.json")
        assert bad["error"]["title"] == "invalid case file"
        fields = {item["field"] for item in bad["error"]["errors"]}
        assert {"indication", "patient"} <= fields
        assert all(set(item) == {"field", "message"} for item in bad["error"]["errors"])
        assert [line["source"] for line in good] == [
            str(folder / NOT_READY.name),  # sorted by name: frp-not-ready before frp-ready
            str(folder / READY.name),
        ]
        assert all("assessment" in line for line in good)

    def test_a_missing_file_is_reported_in_its_place(self, capsys, monkeypatch, tmp_path):
        missing = tmp_path / "nope.yaml"
        code, out, _ = run(
            capsys, monkeypatch, "assess", str(READY), str(missing), str(READY), "--json"
        )
        assert code == 2
        sources = [(line["source"], "error" in line) for line in lines(out)]
        assert sources == [(str(READY), False), (str(missing), True), (str(READY), False)]
        assert "cannot read" in lines(out)[1]["error"]["errors"][0]["message"]

    def test_a_single_invalid_input_with_json_is_a_problem_object(
        self, capsys, monkeypatch, tmp_path
    ):
        path = tmp_path / "bad.yaml"
        path.write_text("patient: 3\n")
        code, out, err = run(capsys, monkeypatch, "assess", str(path), "--json")
        assert code == 2
        assert err == ""
        result = json.loads(out)
        assert set(result) == {"source", "error"}
        assert result["source"] == str(path)
        assert result["error"]["title"] == "invalid case file"

    def test_a_folder_alone_prints_lines_even_for_one_case(self, capsys, monkeypatch, tmp_path):
        folder = folder_of(tmp_path, READY)
        code, out, _ = run(capsys, monkeypatch, "assess", str(folder), "--json")
        assert code == 0
        (line,) = lines(out)
        assert line["source"] == str(folder / READY.name)


class TestFolders:
    def test_a_folder_is_its_case_files_sorted_not_its_sub_folders(
        self, capsys, monkeypatch, tmp_path
    ):
        folder = tmp_path / "cases"
        (folder / "archive").mkdir(parents=True)
        shutil.copy(READY, folder / "b.yml")
        shutil.copy(READY, folder / "a.json")  # YAML text is fine: the parser reads both
        shutil.copy(READY, folder / "c.YAML")
        shutil.copy(READY, folder / "archive" / "old.yaml")
        (folder / "notes.txt").write_text("not a case")
        _, out, _ = run(capsys, monkeypatch, "assess", str(folder), "--json")
        names = [Path(line["source"]).name for line in lines(out)]
        assert names == ["a.json", "b.yml", "c.YAML"]

    def test_an_empty_folder_is_invalid_input(self, capsys, monkeypatch, tmp_path):
        code, out, err = run(capsys, monkeypatch, "assess", str(tmp_path), "--json")
        assert code == 2
        (line,) = lines(out)
        assert line["source"] == str(tmp_path)
        assert "no case files" in line["error"]["errors"][0]["message"]


class TestStandardInput:
    def test_dash_reads_the_case_from_standard_input(self, capsys, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(READY.read_text()))
        code, out, _ = run(capsys, monkeypatch, "assess", "-", "--json")
        assert code == 0
        assert json.loads(out) == single_json(capsys, monkeypatch, READY)

    def test_dash_among_files_is_named_dash(self, capsys, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(NOT_READY.read_text()))
        _, out, _ = run(capsys, monkeypatch, "assess", str(READY), "-", "--json")
        assert [line["source"] for line in lines(out)] == [str(READY), "-"]
        assert lines(out)[1]["assessment"]["ready_to_prescribe"] is False

    def test_invalid_standard_input_names_the_field(self, capsys, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO("patient: 3\n"))
        code, _, err = run(capsys, monkeypatch, "assess", "-")
        assert code == 2
        assert err.startswith("error: -: invalid case file: ")
        assert "indication" in err


class TestReports:
    def test_several_reports_each_under_a_line_naming_its_input(self, capsys, monkeypatch):
        code, out, err = run(capsys, monkeypatch, "assess", str(READY), str(NOT_READY))
        assert (code, err) == (0, "")
        assert out.count("lenaguard assessment") == 2
        first, second = out.index(str(READY)), out.index(str(NOT_READY))
        assert first < out.index("lenaguard assessment") < second

    def test_errors_are_one_line_each_on_stderr_and_the_rest_still_print(
        self, capsys, monkeypatch, tmp_path
    ):
        folder = folder_of(tmp_path, READY, bad="a-bad.yaml")
        missing = tmp_path / "nope.yaml"
        code, out, err = run(capsys, monkeypatch, "assess", str(folder), str(missing))
        assert code == 2
        assert out.count("lenaguard assessment") == 1
        errors = err.splitlines()
        assert len(errors) == 2
        assert errors[0].startswith(f"error: {folder / 'a-bad.yaml'}: invalid case file: ")
        assert errors[1].startswith(f"error: {missing}: invalid case file: cannot read")
        assert "Traceback" not in err

    def test_file_names_are_printed_as_written_not_obeyed(self, capsys, monkeypatch, tmp_path):
        hostile = tmp_path / "red\x1b[31m.yaml"
        shutil.copy(READY, hostile)
        missing = tmp_path / "gone\x1b[2J.yaml"
        code, out, err = run(capsys, monkeypatch, "assess", str(hostile), str(missing))
        assert code == 2
        assert "\x1b" not in out + err
        assert "red\\x1b[31m.yaml" in out
        assert "gone\\x1b[2J.yaml" in err


class TestStrict:
    @pytest.mark.parametrize("as_json", [False, True])
    def test_not_ready_exits_4_only_with_strict(self, capsys, monkeypatch, as_json):
        flags = ["--json"] if as_json else []
        assert run(capsys, monkeypatch, "assess", str(NOT_READY), *flags)[0] == 0
        assert run(capsys, monkeypatch, "assess", str(NOT_READY), *flags, "--strict")[0] == 4
        assert run(capsys, monkeypatch, "assess", str(READY), *flags, "--strict")[0] == 0

    def test_any_not_ready_input_makes_the_batch_4(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys, monkeypatch, "assess", str(READY), str(NOT_READY), "--json", "--strict"
        )
        assert code == 4
        assert len(lines(out)) == 2

    def test_invalid_input_wins_over_not_ready(self, capsys, monkeypatch, tmp_path):
        folder = folder_of(tmp_path, NOT_READY, bad="z-bad.yaml")
        code, _, _ = run(capsys, monkeypatch, "assess", str(folder), "--json", "--strict")
        assert code == 2


class TestProcessPool:
    def test_the_pool_gives_the_same_lines_in_the_same_order(self, capsys, monkeypatch, tmp_path):
        examples = sorted(EXAMPLES.glob("*.yaml"))[:6]
        folder = folder_of(tmp_path, *examples, bad="c-bad.yaml")
        _, in_process, _ = run(capsys, monkeypatch, "assess", str(folder), "--json")
        monkeypatch.setitem(batch.POOL_MIN_INPUTS, "json_lines", 2)
        monkeypatch.setattr(batch, "_usable_cpus", lambda: 2)
        pooled = []
        real_pool = batch._in_pool
        monkeypatch.setattr(
            batch, "_in_pool", lambda *args: pooled.append(True) or real_pool(*args)
        )
        code, in_pool, _ = run(capsys, monkeypatch, "assess", str(folder), "--json")
        assert pooled, "the process pool was not used"
        assert code == 2
        assert in_pool == in_process
        assert len(lines(in_pool)) == 7

    def test_reports_drawn_in_the_pool_are_the_same(self, capsys, monkeypatch, tmp_path):
        folder = folder_of(tmp_path, READY, NOT_READY, bad="c-bad.yaml")
        in_process = run(capsys, monkeypatch, "assess", str(folder), "--plain")
        monkeypatch.setitem(batch.POOL_MIN_INPUTS, "report", 2)
        monkeypatch.setattr(batch, "_usable_cpus", lambda: 2)
        in_pool = run(capsys, monkeypatch, "assess", str(folder), "--plain")
        assert in_pool == in_process
        assert in_pool[0] == 2 and in_pool[1].count("lenaguard assessment") == 2

    def test_one_input_never_starts_a_pool(self, monkeypatch):
        monkeypatch.setattr(batch, "_in_pool", lambda *args: pytest.fail("pool started"))
        job = batch.Job(batch.Layout.JSON, dt.date(2026, 11, 20))
        (outcome,) = batch.assess_all([Source(str(READY))], job)
        assert outcome.code is ExitCode.OK

    def test_an_unexpected_error_in_one_input_is_its_outcome(self, monkeypatch):
        def broken(case, kb, *, verified_only=False, notes=()):
            raise RuntimeError("rule crashed")

        monkeypatch.setattr(batch, "assess", broken)
        job = batch.Job(batch.Layout.JSON_LINES, dt.date(2026, 11, 20))
        outcome = batch.assess_source(Source(str(READY)), job)
        assert outcome.code is ExitCode.INTERNAL
        line = json.loads(outcome.output)
        assert line["error"]["title"] == "internal error"
        assert "RuntimeError: rule crashed" in line["error"]["errors"][0]["message"]
