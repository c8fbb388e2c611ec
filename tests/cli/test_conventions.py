"""What users of ruff, gh or httpie expect: --version, -h, completion, --plain, a pager."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import typer

from lenaguard import __version__
from lenaguard.cli import output
from lenaguard.cli.app import app
from lenaguard.knowledge import default_knowledge
from tests.cli.runner import run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mm-newly-diagnosed.yaml"
ANSI = re.compile(r"\x1b\[")
BOX_DRAWING = re.compile(r"[\u2500-\u257f]")  # every character of the Box Drawing block


def command_paths(command=None, path=()) -> list[tuple[str, ...]]:
    """Every command and group of the app, as the words a user types."""
    command = command or typer.main.get_command(app)
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths += command_paths(sub, (*path, name))
    return paths


class TestVersion:
    @pytest.mark.parametrize("flag", ["--version", "-V"])
    def test_shows_the_release_and_the_knowledge_hash(self, capsys, monkeypatch, flag):
        code, out, _ = run(capsys, monkeypatch, flag)
        assert code == 0
        assert out == f"lenaguard {__version__} (knowledge {default_knowledge().version})\n"

    def test_the_versions_are_those_every_assessment_carries(self, capsys, monkeypatch):
        import json

        _, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--json")
        result = json.loads(out)
        _, version, _ = run(capsys, monkeypatch, "-V")
        assert version.split() == [
            "lenaguard",
            result["lenaguard_version"],
            "(knowledge",
            f"{result['knowledge_version']})",
        ]


class TestHelp:
    @pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "lenaguard")
    @pytest.mark.parametrize("flag", ["-h", "--help"])
    def test_every_command_has_short_and_long_help(self, capsys, monkeypatch, path, flag):
        code, out, err = run(capsys, monkeypatch, *path, flag)
        assert (code, err) == (0, "")
        assert f"lenaguard {' '.join(path)}".strip() in out
        assert "Usage" in out

    def test_assess_help_lists_the_new_options(self, capsys, monkeypatch):
        _, out, _ = run(capsys, monkeypatch, "assess", "-h")
        for option in ("--json", "--strict", "--plain", "--no-pager", "--verified-only"):
            assert option in out


class TestCompletion:
    def test_the_completion_options_are_offered(self, capsys, monkeypatch):
        _, out, _ = run(capsys, monkeypatch, "--help")
        assert "--install-completion" in out
        assert "--show-completion" in out

    def test_show_completion_prints_a_script_for_the_shell(self, capsys, monkeypatch):
        # name the shell: detection reads the process tree, whose parent may be no shell at all
        monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
        code, out, err = run(capsys, monkeypatch, "--show-completion", "bash")
        assert code == 0, err
        assert "_LENAGUARD_COMPLETE=complete_bash" in out

    def test_completes_a_command_name(self, capsys, monkeypatch):
        monkeypatch.setenv("_LENAGUARD_COMPLETE", "complete_bash")
        monkeypatch.setenv("COMP_WORDS", "lenaguard ass")
        monkeypatch.setenv("COMP_CWORD", "1")
        code, out, _ = run(capsys, monkeypatch)
        assert code == 0
        assert out.split() == ["assess"]


class TestPlain:
    def test_plain_report_has_no_boxes_and_no_colour(self, capsys, monkeypatch):
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("FORCE_COLOR", "1")  # colour would be on without --plain
        code, styled, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--full")
        assert code == 0
        assert ANSI.search(styled) and BOX_DRAWING.search(styled)
        code, plain, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--full", "--plain")
        assert code == 0
        assert not ANSI.search(plain)
        assert not BOX_DRAWING.search(plain)
        assert all(line == line.rstrip() for line in plain.splitlines())

    def test_plain_report_keeps_every_section_and_finding(self, capsys, monkeypatch):
        import json

        _, plain, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--plain", "--full")
        flat = " ".join(plain.split())
        for heading in ("lenaguard assessment", "Dose", "Renal function", "Next 4 weeks"):
            assert heading in plain
        _, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--json")
        for finding in json.loads(out)["findings"]:
            assert finding["status"] in flat
            assert " ".join(finding["summary"].split()[:3]) in flat

    def test_plain_separator_between_reports(self, capsys, monkeypatch):
        _, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), str(EXAMPLE), "--plain")
        separators = [line for line in out.splitlines() if str(EXAMPLE) in line]
        assert len(separators) == 2
        assert all(line.startswith("=") and line.endswith("=") for line in separators)


class TestPager:
    @pytest.fixture
    def terminal(self, monkeypatch):
        """Standard output is a 10-line terminal; the pager's text is captured."""
        paged: list[str] = []
        monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
        monkeypatch.setenv("LINES", "10")
        monkeypatch.setattr(output, "_page", paged.append)
        return paged

    def test_a_long_report_on_a_terminal_is_paged(self, capsys, monkeypatch, terminal):
        code, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE))
        assert code == 0
        assert out == ""
        (text,) = terminal
        assert "lenaguard assessment" in text

    @pytest.mark.parametrize("flag", ["--no-pager", "--json"])
    def test_no_pager_and_json_write_directly(self, capsys, monkeypatch, terminal, flag):
        code, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE), flag)
        assert code == 0
        assert out and not terminal

    def test_never_pages_when_not_a_terminal(self, capsys, monkeypatch):
        monkeypatch.setattr(output, "_page", lambda text: pytest.fail("paged"))
        monkeypatch.setenv("LINES", "10")
        code, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLE))
        assert code == 0 and "lenaguard assessment" in out

    def test_a_short_text_is_not_paged(self, capsys, monkeypatch):
        monkeypatch.setattr(output, "_page", lambda text: pytest.fail("paged"))
        output.write("two\nlines\n", page=True, height=10)
        assert capsys.readouterr().out == "two\nlines\n"

    def test_the_pager_command_comes_from_PAGER(self, monkeypatch, tmp_path):
        import pydoc

        monkeypatch.setattr(pydoc, "pager", pydoc.pager)  # pydoc keeps its first choice
        paged = tmp_path / "paged.txt"
        monkeypatch.delenv("MANPAGER", raising=False)
        monkeypatch.setenv("PAGER", f"cat > {paged}")
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
        output.write("a\nb\nc\n", page=True, height=2)
        assert paged.read_text() == "a\nb\nc\n"


class TestErrors:
    def test_an_option_error_names_the_option(self, capsys, monkeypatch):
        code, _, err = run(
            capsys, monkeypatch, "crcl", "--sex", "male", "--age", "60", "--weight-kg", "0",
            "--creatinine", "1",
        )  # fmt: skip
        assert code == 2
        assert err.startswith("error: invalid input: --weight-kg: ")
        assert err.count("\n") == 1

    def test_calculator_problems_are_structured_under_option_names(self, capsys, monkeypatch):
        from lenaguard.cli.app import _calculator
        from lenaguard.errors import InputError

        def compute(data, kb):
            raise InputError([("age_years", "under 18"), ("height_cm", "needed")])

        with pytest.raises(InputError) as raised:
            _calculator(compute, {})
        assert raised.value.problems == [("--age", "under 18"), ("--height-cm", "needed")]

    def test_a_broken_knowledge_base_exits_3_in_one_line(self, capsys, monkeypatch):
        import lenaguard.knowledge
        from lenaguard.errors import KnowledgeError

        def broken():
            raise KnowledgeError("renal.yaml: not valid YAML:\n  line 3")

        monkeypatch.setattr(lenaguard.knowledge, "default_knowledge", broken)
        code, out, err = run(capsys, monkeypatch, "assess", str(EXAMPLE), "--json")
        assert (code, out) == (3, "")
        assert err == "error: knowledge base error: renal.yaml: not valid YAML: line 3\n"

    def test_an_unexpected_error_exits_1_in_one_line(self, capsys, monkeypatch):
        import lenaguard.cli.report

        def broken(*args):
            raise RuntimeError("cannot draw")

        monkeypatch.setattr(lenaguard.cli.report, "render_knowledge_check", broken)
        code, _, err = run(capsys, monkeypatch, "knowledge", "check")
        assert code == 1
        assert err == "error: internal error: RuntimeError: cannot draw\n"

    def test_an_unexpected_error_in_a_report_exits_1(self, capsys, monkeypatch):
        import lenaguard.cli.screen

        def broken(*args):
            raise RuntimeError("cannot draw")

        monkeypatch.setattr(lenaguard.cli.screen, "render_first_screen", broken)
        code, out, err = run(capsys, monkeypatch, "assess", str(EXAMPLE))
        assert (code, out) == (1, "")
        assert err == f"error: {EXAMPLE}: internal error: RuntimeError: cannot draw\n"
