"""The first screen: the decision first, every blocker and warning with its action, within 60
lines at 100 columns for every example, and user text shown literally."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rich.console import Console

from lenaguard.assess import assess
from lenaguard.caseio import load_case
from lenaguard.cli.screen import first_screen, remedy_words, safe
from lenaguard.findings import OrderTest, RecordField
from lenaguard.knowledge import default_knowledge
from tests.factories import make_case

KB = default_knowledge()
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
MAX_LINES = 60
WIDTH = 100


def screen_text(case, assessment, width: int = WIDTH) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(first_screen(case, assessment, KB))
    return console.export_text()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_fits_the_first_screen(path):
    case = load_case(path, today=dt.date(2026, 11, 20))
    result = assess(case, KB)
    text = screen_text(case, result)
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES, f"{len(lines)} lines"
    assert all(len(line.rstrip()) <= WIDTH for line in lines)
    # the decision comes first, before the dose panel
    decision = {"ready": "READY TO PRESCRIBE", "not_ready": "NOT READY TO PRESCRIBE"}.get(
        result.readiness.value, "READINESS NOT DETERMINED"
    )
    assert text.index(decision) < text.index("DOSE")
    # every action (blockers, critical, warnings) is on the screen with its finding id
    for action in result.actions:
        assert f"[{action.finding_id}]" in text.replace("\n", "")
    if result.dose is not None and result.dose.record:
        assert result.dose.record in text


def test_record_fields_are_never_cut_off():
    path = next(p for p in EXAMPLES if p.stem == "response-pd")
    case = load_case(path, today=dt.date(2026, 11, 20))
    text = screen_text(case, assess(case, KB), width=60)
    assert "  • therapy.continue_after_progression" in text


def test_markup_and_escape_sequences_in_user_text_are_shown_literally():
    case = make_case(patient={"id": "[bold red]x[/]\x1b[31mEVIL\x07"})
    text = screen_text(case, assess(case, KB))
    assert "[bold red]x[/]" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mEVIL\\x07" in text


def test_safe_makes_control_characters_visible():
    assert safe("a\x1b[2Jb\x00c\u202ed") == "a\\x1b[2Jb\\x00c\\x202ed"
    assert safe("line\nbreak") == "line\nbreak"


def test_remedy_words():
    assert (
        remedy_words(OrderTest(test="cbc", by=dt.date(2026, 11, 25))) == "order cbc by 2026-11-25"
    )
    assert remedy_words(RecordField(field="therapy.other_toxicity")) == (
        "record therapy.other_toxicity"
    )
    assert remedy_words(None) is None


def test_the_full_report_shows_user_text_literally_too():
    from lenaguard.cli.report import render_assessment

    case = make_case(
        patient={"id": "[bold red]x[/]\x1b[31mEVIL"},
        medications=[{"name": "[link=http://x]aspirin[/link]"}],
    )
    console = Console(width=WIDTH, file=io.StringIO(), color_system=None, record=True)
    render_assessment(console, case, assess(case, KB), KB)
    text = console.export_text()
    assert "[bold red]x[/]" in text and "\x1b" not in text
