"""Confirmed IMWG progression holds the dose until the prescriber records a decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from lenaguard.assess import assess
from lenaguard.caseio import CaseError, case_from_data
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import DoseAction, Readiness

KB = default_knowledge()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "response-pd.yaml"
CONFIRMED_ON = "2026-11-02"  # the confirming assessment in the example


def _assess(decision: dict | None = None):
    data = yaml.safe_load(EXAMPLE.read_text())
    if decision is not None:
        data["therapy"]["continue_after_progression"] = decision
    return assess(case_from_data(data, today=dt.date(2026, 11, 20)), KB)


def test_confirmed_progression_without_a_decision_holds_and_blocks():
    result = _assess()
    assert result.response.imwg.category.value == "PD" and result.response.imwg.confirmed
    assert result.dose.action is DoseAction.HOLD
    assert result.dose.rule == "response.progression_decision_needed"
    assert result.readiness is Readiness.NOT_READY
    action = result.actions[0]
    assert action.finding_id == "response.progression_decision_needed" and action.blocking
    assert action.remedy.field == "therapy.continue_after_progression"


@pytest.mark.parametrize("day", [CONFIRMED_ON, "2026-11-10", "2026-11-20"])
def test_a_recorded_decision_on_or_after_confirmation_lets_the_course_go_on(day):
    result = _assess({"date": day, "reason": "slow biochemical progression only"})
    ids = {f.id for f in result.findings}
    assert "response.progression_decision_needed" not in ids
    assert "response.continuing_after_progression" in ids
    assert result.dose.action is DoseAction.CONTINUE
    assert result.readiness is Readiness.READY


def test_a_decision_dated_before_the_confirmation_does_not_count():
    result = _assess({"date": "2026-11-01", "reason": "decided too early"})
    assert result.dose.action is DoseAction.HOLD
    finding = next(f for f in result.findings if f.id == "response.progression_decision_needed")
    assert "predates" in finding.detail


def test_a_decision_after_as_of_is_refused():
    with pytest.raises(CaseError) as raised:
        _assess({"date": "2026-11-21", "reason": "x"})
    assert raised.value.problems[0].field == "therapy.continue_after_progression.date"


def test_no_progression_no_finding():
    data = yaml.safe_load((EXAMPLE.parent / "response-pr.yaml").read_text())
    result = assess(case_from_data(data, today=dt.date(2026, 11, 20)), KB)
    assert not any(f.id.startswith("response.progression_decision") for f in result.findings)
