"""Every bundled example is a valid case that assesses without error, in report and JSON form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rich.console import Console

from lenaguard.assess import assess
from lenaguard.caseio import load_case
from lenaguard.cli.report import render_assessment
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import Indication

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_assesses_and_renders(path):
    kb = default_knowledge()
    case = load_case(path, today=dt.date(2026, 11, 20))
    assessment = assess(case, kb)
    assert assessment.patient_id == case.patient.id
    assert assessment.to_json_dict()["findings"] is not None
    console = Console(record=True, width=160)
    render_assessment(console, case, assessment, kb)
    assert "lenaguard assessment" in console.export_text()


def test_there_is_an_example_for_every_indication():
    kb = default_knowledge()
    seen = {load_case(path, today=dt.date(2026, 11, 20)).indication for path in EXAMPLES}
    assert seen == set(Indication), f"missing: {set(Indication) - seen}"
    assert kb is not None
