"""The other-toxicity decision (`decide_other_toxicity`), field by field, without its wording.

Expected values from the facts file §3 'Other toxicity': hold at grade 3–4 and restart at
grade 2 or lower one step down; hepatotoxicity holds from grade 1 until back to baseline
(grade 0); tumor flare in MCL/FL/MZL holds at grade 3–4, restarts at grade 1 or lower, and
grade 1–2 may continue; rash grade 2–3: consider interrupting or stopping.
"""

from __future__ import annotations

from typing import Any

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.rules.base.course import CourseStatus
from lenaguard.rules.dose.other_toxicity import (
    OtherToxicityDecision,
    ToxicityHoldRule,
    decide_other_toxicity,
)
from lenaguard.rules.dose.timeline import build_timeline, ladder_for, ladder_position
from lenaguard.vocab import ToxicityKind
from tests.factories import make_case

KB = default_knowledge()
KNOWLEDGE = KB.get(OtherToxicityKnowledge)
START = [{"date": "2026-10-01", "event": "start", "dose_mg": 25}]
HELD = [*START, {"date": "2026-11-01", "event": "hold", "reason": "other_toxicity"}]


def decide(
    events=START, toxicity: dict | None = None, indication: str = "mm_combination"
) -> OtherToxicityDecision:
    """The decision for a case, with the timeline and ladder built as the dose rules build them."""
    therapy: dict[str, Any] = {"events": events}
    if toxicity is not None:
        therapy["other_toxicity"] = toxicity
    case = make_case(indication=indication, therapy=therapy)
    timeline = build_timeline(case)
    course = timeline.course
    schedule = KB.get(IndicationsKnowledge).entry(case.indication).schedule
    table = KB.get(DoseModificationKnowledge).table(case.indication)
    ladder, covered = ladder_for(table, course.start_dose_mg)
    position = ladder_position(
        ladder, covered, course.dose_mg, course.days_on, schedule, course.frequency
    )
    return decide_other_toxicity(case, KB, timeline, position, schedule)


def test_no_toxicity_recorded_and_no_toxicity_hold_decides_nothing():
    decision = decide()
    assert decision.course_status is CourseStatus.ACTIVE
    assert decision.grade is None and decision.hold_rule is None
    assert not (decision.withheld or decision.grade_needed or decision.interrupt_now)


@pytest.mark.parametrize("grade", [3, 4])
def test_grade_3_and_4_interrupt_an_active_course_and_plan_one_step_down(grade):
    decision = decide(toxicity={"grade": grade, "kind": "other"})
    assert decision.hold_rule is ToxicityHoldRule.GRADE_HOLD
    assert decision.hold_rule.rule_id == "other_toxicity.grade_hold"
    assert decision.grade_rule == KNOWLEDGE.grade_hold
    assert (decision.kind, decision.grade) == (ToxicityKind.OTHER, grade)
    assert decision.withheld and decision.at_hold_grade and decision.interrupt_now
    assert not decision.restart_allowed
    assert (decision.restart_dose_mg, decision.floor_reached) == (20, False)


def test_grade_2_on_an_active_course_does_not_hold():
    decision = decide(toxicity={"grade": 2, "kind": "other"})
    assert not (decision.withheld or decision.at_hold_grade or decision.interrupt_now)
    assert decision.restart_allowed


def test_held_for_toxicity_restarts_once_grade_2_and_does_not_interrupt_again():
    decision = decide(HELD, {"grade": 2, "kind": "other"})
    assert decision.held_on is not None and decision.held_on.isoformat() == "2026-11-01"
    assert decision.withheld and decision.restart_allowed
    assert not (decision.at_hold_grade or decision.interrupt_now)


def test_held_at_grade_3_stays_held_without_a_new_interrupt():
    decision = decide(HELD, {"grade": 3, "kind": "other"})
    assert decision.withheld and decision.at_hold_grade
    assert not (decision.restart_allowed or decision.interrupt_now)


def test_held_for_toxicity_without_a_grade_needs_the_grade():
    decision = decide(HELD)
    assert decision.grade_needed and decision.withheld
    assert decision.hold_rule is ToxicityHoldRule.GRADE_HOLD
    assert not decision.restart_allowed
    assert decision.entries == (KNOWLEDGE.grade_hold,)
    assert decision.grade_rule == KNOWLEDGE.grade_hold
    assert decision.held_on is not None and decision.held_on.isoformat() == "2026-11-01"


def test_a_hold_for_a_blood_count_is_not_a_toxicity_hold():
    held = [*START, {"date": "2026-11-01", "event": "hold", "reason": "neutropenia"}]
    decision = decide(held, {"grade": 2, "kind": "other"})
    assert decision.held_on is None
    assert not (decision.withheld or decision.grade_needed)


def test_a_grade_dated_before_the_last_event_is_flagged():
    decision = decide(toxicity={"grade": 3, "kind": "other", "date": "2026-09-01"})
    assert decision.grade_predates_last_event
    assert decision.recorded_on is not None and decision.last_event_date is not None
    assert decision.recorded_on < decision.last_event_date


def test_hepatotoxicity_holds_from_grade_1_until_baseline():
    decision = decide(toxicity={"grade": 1, "kind": "hepatotoxicity"})
    assert decision.hold_rule is ToxicityHoldRule.HEPATOTOXICITY
    assert decision.entries == (KNOWLEDGE.hepatotoxicity,)
    assert decision.interrupt_now and not decision.restart_allowed
    assert decide(HELD, {"grade": 0, "kind": "hepatotoxicity"}).restart_allowed


@pytest.mark.parametrize("indication", ["mcl", "fl", "mzl"])
def test_tumor_flare_in_the_lymphomas_has_its_own_rule(indication):
    decision = decide(toxicity={"grade": 3, "kind": "tumor_flare"}, indication=indication)
    assert decision.hold_rule is ToxicityHoldRule.TUMOR_FLARE
    assert decision.entries == (KNOWLEDGE.tumor_flare, KNOWLEDGE.grade_hold)
    assert decision.interrupt_now
    lower = decide(toxicity={"grade": 2, "kind": "tumor_flare"}, indication=indication)
    assert lower.tumor_flare_may_continue and not lower.withheld


def test_tumor_flare_in_myeloma_follows_the_general_rule():
    decision = decide(toxicity={"grade": 2, "kind": "tumor_flare"})
    assert decision.hold_rule is ToxicityHoldRule.GRADE_HOLD
    assert not decision.tumor_flare_may_continue


@pytest.mark.parametrize(("grade", "consider"), [(1, False), (2, True), (3, True), (4, False)])
def test_rash_grades_2_and_3_consider_interrupting(grade, consider):
    decision = decide(toxicity={"grade": grade, "kind": "rash"})
    assert decision.rash_consider_interrupting is consider


def test_a_stopped_course_decides_nothing():
    stopped = [*START, {"date": "2026-11-01", "event": "stop"}]
    decision = decide(stopped, {"grade": 3, "kind": "other"})
    assert decision.course_status is CourseStatus.STOPPED
    assert not (decision.withheld or decision.interrupt_now or decision.rash_consider_interrupting)
