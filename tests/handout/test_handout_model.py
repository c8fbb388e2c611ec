"""The handout's content: the same decision as the assessment, and the rules of the patient's
REMS risk category with their numbers from the knowledge base."""

from __future__ import annotations

import pytest

from lenaguard.handout import ContactKind, Plan, contact_for, plan_of, render_html
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge
from lenaguard.knowledge.topics.rems import RemsRiskCategory
from lenaguard.vocab import DoseAction, Readiness
from tests.handout.conftest import EXAMPLES, ROOT, visible_text

WAIT_SENTENCE = "Do not take your capsules until your care team tells you to."


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_dosing_days_follow_the_one_decision(handout_of, path):
    """Dosing days only when the assessment is ready and gives the drug; then exactly the
    calendar's dose days. Otherwise none, and the page says not to take the capsules."""
    _case, assessment, handout = handout_of(path)
    ready = (
        assessment.readiness is Readiness.READY
        and assessment.dose is not None
        and assessment.dose.action.gives_drug
    )
    assert (handout.plan is Plan.TAKE) == ready
    html = render_html(handout)
    if ready:
        expected = tuple(day.date for day in assessment.calendar if day.dose_mg is not None)
        assert handout.dosing_days == expected and expected
        assert WAIT_SENTENCE not in html
    else:
        assert handout.dosing_days == ()
        assert handout.dose is None
        assert WAIT_SENTENCE in visible_text(html)
        assert 'class="handout-day handout-day--take' not in html
        assert "Take 1 capsule" not in html


def test_a_blocked_female_of_reproductive_potential_is_told_to_wait_with_her_test_dates(
    handout_of,
):
    _case, assessment, handout = handout_of(ROOT / "examples" / "frp-not-ready.yaml")
    assert assessment.readiness is Readiness.NOT_READY
    assert handout.plan is Plan.WAIT and handout.dosing_days == ()
    pregnancy_days = [t.date for t in handout.test_dates if t.pregnancy]
    assert pregnancy_days == [
        item.due for item in assessment.monitoring if item.test == "pregnancy_test"
    ]
    text = visible_text(render_html(handout))
    assert WAIT_SENTENCE in text
    assert "Pregnancy test today." in text


def test_a_stopped_course_says_so_and_shows_no_dosing_day(handout_of):
    _case, assessment, handout = handout_of(ROOT / "examples" / "dosemod-rash-stop.yaml")
    assert assessment.dose.action in (DoseAction.STOP, DoseAction.DO_NOT_START)
    assert plan_of(assessment) is Plan.STOPPED and handout.dosing_days == ()
    text = visible_text(render_html(handout))
    assert WAIT_SENTENCE in text and "stopped this medicine" in text


def test_female_of_reproductive_potential_gets_birth_control_and_test_rules_from_knowledge(
    handout_of, kb
):
    _case, assessment, handout = handout_of(ROOT / "examples" / "frp-ready.yaml")
    assert assessment.rems_category is RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
    pregnancy = kb.get(PregnancyKnowledge)
    rules = handout.rules.pregnancy
    assert rules.weeks_before == pregnancy.contraception.weeks_before
    assert rules.weeks_after == pregnancy.contraception.weeks_after
    assert rules.weekly_weeks == pregnancy.ongoing_tests.weekly_phase_weeks
    assert rules.regular_every_weeks == pregnancy.ongoing_tests.regular_menses_interval_weeks
    assert rules.irregular_every_weeks == pregnancy.ongoing_tests.irregular_menses_interval_weeks
    assert handout.rules.male_weeks_after is None
    assert handout.rules.blood_donation_weeks_after == pregnancy.blood_donation.weeks_after
    assert "missed_period" in handout.symptoms.call_now
    text = visible_text(render_html(handout))
    assert f"Start at least {rules.weeks_before} weeks before your first dose." in text
    assert f"Keep going for {rules.weeks_after} weeks after your last dose." in text
    assert "Condoms and sperm" not in text
    assert "Birth control: " not in text  # the section title is the heading, not a label
    # her pregnancy test dates are on the page, in the calendar and in the list
    for test in handout.test_dates:
        if test.pregnancy:
            assert f"{test.date:%B} {test.date.day}:" in text


def test_a_male_gets_the_condom_and_sperm_rules_and_no_pregnancy_tests(handout_of, kb):
    _case, assessment, handout = handout_of(ROOT / "examples" / "male-patient.yaml")
    assert not assessment.rems_category.female
    pregnancy = kb.get(PregnancyKnowledge)
    assert handout.rules.male_weeks_after == pregnancy.male_after_stopping.weeks_after
    assert handout.rules.pregnancy is None and not handout.rules.no_breastfeeding
    assert "missed_period" not in handout.symptoms.call_now
    text = visible_text(render_html(handout))
    assert "Condoms and sperm" in text and "Do not give sperm in this time." in text
    assert f"for {handout.rules.male_weeks_after} weeks after your last dose" in text
    assert "Birth control and pregnancy tests" not in text
    assert "Pregnancy test" not in text


def test_a_female_who_cannot_become_pregnant_gets_neither_set_of_rules(handout_of):
    _case, assessment, handout = handout_of(ROOT / "examples" / "mm-renal-moderate.yaml")
    assert assessment.rems_category.female
    assert not assessment.rems_category.reproductive_potential
    assert handout.rules.pregnancy is None and handout.rules.male_weeks_after is None
    text = visible_text(render_html(handout))
    assert "Do not give blood" in text and "Do not breastfeed" in text
    assert "Condoms" not in text and "Birth control" not in text


def test_missed_dose_and_symptom_groups_come_from_knowledge(handout_of, kb):
    _case, _assessment, handout = handout_of(ROOT / "examples" / "frp-ready.yaml")
    hours = kb.get(IndicationsKnowledge).missed_dose.hours_late_limit
    assert handout.missed_dose_hours == hours
    text = visible_text(render_html(handout))
    assert f"less than {hours:g} hours past your usual time, take it now" in text
    # clots and heart attack signs are emergencies; fever means calling now; bleeding today
    for key in ("chest_pain", "shortness_of_breath", "leg_swelling", "blistering_rash"):
        assert key in handout.symptoms.emergency
    assert "fever" in handout.symptoms.call_now
    assert {"bleeding", "bruising"} <= set(handout.symptoms.call_today)
    assert "blistering_rash" in handout.symptoms.stop and "chest_pain" not in handout.symptoms.stop


def test_the_dose_in_capsules_and_every_other_day(handout_of):
    _case, assessment, handout = handout_of(ROOT / "examples" / "mm-renal-severe.yaml")
    assert handout.dose.every_other_day
    assert handout.dose.capsules == 1 and handout.dose.capsule_mg == assessment.dose.dose_mg
    text = visible_text(render_html(handout))
    assert "Take 1 capsule of 15 mg each time." in text
    assert "Take it every other day, not every day." in text


def test_whom_to_call_clinic_then_prescriber_then_care_team(handout_of):
    assert contact_for("Clinic", "555").kind is ContactKind.CLINIC
    assert contact_for(None, " ", "Dr. Ada Demo").kind is ContactKind.PRESCRIBER
    assert contact_for(None, None, None).kind is ContactKind.CARE_TEAM
    path = ROOT / "examples" / "frp-ready.yaml"
    _c, _a, handout = handout_of(path, contact=contact_for(None, None, "Dr. Ada Demo"))
    text = visible_text(render_html(handout))
    assert "Call the office of Dr. Ada Demo right away" in text
    assert "Write their phone number here:" in text
    _c, _a, handout = handout_of(path, contact=contact_for(None, None))
    text = visible_text(render_html(handout))
    assert "Call your care team right away" in text
    _c, _a, handout = handout_of(path)
    text = visible_text(render_html(handout))
    assert "Phone: 555-0100" in text and "Write their phone number here" not in text


def test_every_section_names_its_sources_and_their_status(handout_of):
    _case, _assessment, handout = handout_of(ROOT / "examples" / "frp-ready.yaml")
    assert {"plan", "birth_control", "donation", "missed_dose", "handling", "symptoms"} <= set(
        handout.sources
    )
    for basis in handout.sources.values():
        assert basis.citations and basis.refs
    text = visible_text(render_html(handout))
    assert "Where this comes from" in text and "USPI §5.1" in text
