"""Pregnancy prevention and the REMS for one case: `evaluate(case, kb) -> PregnancyOutcome`.

What it checks (US label boxed warning, §4, §5.1, §8.1–§8.3; Lenalidomide REMS):

- the REMS risk category and whether a female can become pregnant (unknown history counts as
  able to, and the report names the facts that would change that);
- before the first prescription to a female of reproductive potential (course not started,
  starting on the assessment date, or stopped and about to restart): two negative pregnancy
  tests, the first in the window some days
  before prescribing and the second within the hours before it; the prescribing date is the
  assessment date (`case.as_of`);
- on treatment and during interruptions: the next test date (weekly at first, then by menstrual
  regularity; unknown regularity takes the stricter interval);
- pregnancy (positive test or `conditions.pregnant`) and a missed period;
- contraception, the male condom rule, blood and sperm donation, breastfeeding;
- the REMS prescription conditions that apply to the patient's category.

Every unmet requirement for starting or continuing is a critical, blocking finding saying what is
missing and by which date. Paperwork (contraception attestation, surveys, counselling) never
blocks: lenaguard cannot see it in a case, and the REMS surveys record it.

Calendar rules (the case holds dates, not times): "within N hours before prescribing" accepts a
test dated on the prescribing day or on any day that N hours before the start of that day
reaches (one day for a day's worth of hours), and asks the prescriber to confirm the clock time
when the test is dated the day before. A test's assay qualifies when its stated detection limit
is at or below the label's sensitivity level (a higher number is a less sensitive test).

`decide_initial_pregnancy_tests` gives the state of the two tests before a first prescription
as a typed `InitialPregnancyTestsDecision` (which tests count, what is missing, the dates that
follow); the findings and test dates word it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from pydantic import Field

from lenaguard.case import Case, LabResult
from lenaguard.findings import Finding, TestDue
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited, Status, merge_citations, weakest
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.pregnancy import InitialPregnancyTests, PregnancyKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.knowledge.topics.symptoms import SymptomsKnowledge
from lenaguard.rules.base.course import Course, CourseStatus, current_course
from lenaguard.rules.base.results import MonitoringItem, RepeatingTest, RuleOutcome
from lenaguard.rules.safety.rems import (
    RemsCategoryResult,
    authorization_expires,
    rems_risk_category,
    survey_requirement,
)
from lenaguard.text import format_number
from lenaguard.vocab import Category, DoseAction, LabTest, QualitativeResult, Severity, Sex, Symptom

_pregnancy_finding = Finding.maker(Category.PREGNANCY)


__all__ = [
    "PREGNANCY_TEST",
    "InitialPregnancyTestsDecision",
    "InitialTestsOutcome",
    "PregnancyOutcome",
    "decide_initial_pregnancy_tests",
    "evaluate",
]

PREGNANCY_TEST = "pregnancy_test"
"""The monitoring item name for a pregnancy test."""

_ON_THERAPY = (CourseStatus.ACTIVE, CourseStatus.HELD)


class PregnancyOutcome(RuleOutcome):
    """Findings and pregnancy-test monitoring, plus the patient's REMS risk category."""

    rems_category: str = Field(description="REMS risk category id (see RemsRiskCategory).")
    rems_category_name: str
    rems_category_basis: list[str] = Field(description="The facts that decided the category.")
    rems_category_status: Status
    reproductive_potential: bool | None = Field(
        description="Females: able to become pregnant (True also when presumed). Males: null."
    )
    reproductive_potential_presumed: bool = Field(
        description="True when the category rests on unknown reproductive history."
    )
    repeating: list[RepeatingTest] = Field(
        default_factory=list,
        description="The pregnancy tests' schedule after the next due test (on or about to "
        "start treatment), for the calendar.",
    )
    would_change: list[str] = Field(
        default_factory=list,
        description="Unknown facts that, once known, could change the category.",
    )


# ---------------------------------------------------------------- small helpers


def _day(value: dt.date) -> str:
    return value.isoformat()


def _n(value: float) -> str:
    return format_number(value)


def _finding(
    *entries: Cited,
    slug: str,
    severity: Severity,
    summary: str,
    detail: str,
    inputs: dict | None = None,
    blocking: bool = False,
    requires_dose_action: DoseAction | None = None,
    tests_due: list[TestDue] | None = None,
) -> Finding:
    return _pregnancy_finding(
        *entries,
        requires_dose_action=requires_dose_action,
        name=slug,
        severity=severity,
        summary=summary,
        detail=detail,
        inputs=inputs or {},
        blocking=blocking,
        tests_due=tests_due,
    )


def _blocking(
    *entries: Cited,
    slug: str,
    summary: str,
    detail: str,
    inputs: dict,
    requires_dose_action: DoseAction | None = None,
    tests_due: list[TestDue] | None = None,
) -> Finding:
    return _finding(
        *entries,
        slug=slug,
        severity=Severity.CRITICAL,
        summary=summary,
        detail=detail,
        inputs=inputs,
        blocking=True,
        requires_dose_action=requires_dose_action,
        tests_due=tests_due,
    )


def _item(due: dt.date, reason: str, *entries: Cited) -> MonitoringItem:
    return MonitoringItem(
        test=PREGNANCY_TEST,
        due=due,
        reason=reason,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )


def _merge_items(items: Sequence[MonitoringItem]) -> list[MonitoringItem]:
    """One item per due date: reasons joined, weakest status, all citations."""
    merged: dict[dt.date, MonitoringItem] = {}
    for item in items:
        seen = merged.get(item.due)
        if seen is None:
            merged[item.due] = item
            continue
        reasons = seen.reason if item.reason in seen.reason else f"{seen.reason}; {item.reason}"
        citations = list(dict.fromkeys([*seen.citations, *item.citations]))
        merged[item.due] = seen.model_copy(
            update={
                "reason": reasons,
                "status": weakest([seen.status, item.status]),
                "citations": citations,
            }
        )
    return sorted(merged.values(), key=lambda entry: entry.due)


def _test_words(test: LabResult) -> str:
    words = f"{test.result.value if test.result else 'no result'} test on {_day(test.date)}"
    if test.sensitivity_miu_ml is not None:
        words += f" (sensitivity {_n(test.sensitivity_miu_ml)} mIU/mL)"
    return words


def _test_input(test: LabResult) -> dict:
    return {
        "date": _day(test.date),
        "result": None if test.result is None else test.result.value,
        "sensitivity_miu_ml": test.sensitivity_miu_ml,
    }


# ---------------------------------------------------------------- pregnancy tests of the case


@dataclass(frozen=True)
class _Tests:
    """The case's pregnancy tests, sorted by the sensitivity rule."""

    all: tuple[LabResult, ...]
    limit_miu_ml: float

    def qualifies(self, test: LabResult) -> bool:
        """A negative test whose assay is sensitive enough (or whose sensitivity is not stated)."""
        sensitive = test.sensitivity_miu_ml is None or test.sensitivity_miu_ml <= self.limit_miu_ml
        return test.result is QualitativeResult.NEGATIVE and sensitive

    def too_insensitive(self, test: LabResult) -> bool:
        return (
            test.result is QualitativeResult.NEGATIVE
            and test.sensitivity_miu_ml is not None
            and test.sensitivity_miu_ml > self.limit_miu_ml
        )

    def negatives_between(self, first: dt.date, last: dt.date) -> list[LabResult]:
        return [t for t in self.all if first <= t.date <= last and self.qualifies(t)]

    def latest_negative(self, on_or_before: dt.date) -> LabResult | None:
        found = [t for t in self.all if t.date <= on_or_before and self.qualifies(t)]
        return found[-1] if found else None

    def positives_since(self, since: dt.date) -> list[LabResult]:
        """Positive tests from `since` on, plus the latest test if it is positive (a positive
        dominates a negative on the same day)."""
        found = [t for t in self.all if t.date >= since and t.result is QualitativeResult.POSITIVE]
        dated = [t for t in self.all if t.result is not None]
        if dated:
            last_day = dated[-1].date
            same_day = [t for t in dated if t.date == last_day]
            found += [
                t for t in same_day if t.result is QualitativeResult.POSITIVE and t not in found
            ]
        return sorted(found, key=lambda t: t.date)

    def without_result(self) -> list[LabResult]:
        return [t for t in self.all if t.result is None]


def _tests(case: Case, facts: PregnancyKnowledge) -> _Tests:
    return _Tests(
        all=tuple(case.series(LabTest.PREGNANCY)),
        limit_miu_ml=facts.test_sensitivity.detection_limit_max_miu_ml,
    )


# ---------------------------------------------------------------- entry point


def evaluate(case: Case, kb: KnowledgeBase) -> PregnancyOutcome:
    """Pregnancy-prevention and REMS findings for the case on `case.as_of`."""
    facts = kb.get(PregnancyKnowledge)
    category = rems_risk_category(case.patient.sex, case.age_years, case.patient.reproductive, kb)
    course = current_course(case)
    tests = _tests(case, facts)
    female = case.patient.sex is Sex.FEMALE
    findings: list[Finding] = [_category_finding(category, kb)]
    items: list[MonitoringItem] = []
    repeating: list[RepeatingTest] = []

    if category.presumed:
        findings.append(_history_unknown(category, facts))
    if tests.without_result():
        findings.append(_tests_without_result(tests, facts))

    pregnant: list[Finding] = []
    if female:
        pregnant = _pregnancy(case, course, tests, category, facts)
        findings += pregnant
    elif case.conditions.pregnant is True:
        findings.append(_pregnant_flag_on_male(facts))

    # Once pregnancy is on record, its finding says what to do (stop or do not start, refer,
    # report, two new negative tests before any later start): the test cadence, the missed-period
    # steps and the contraception reminder would contradict it, so they are left out.
    if category.reproductive_potential:
        if not pregnant:
            missed, missed_items = _missed_period(case, course, tests, kb)
            findings += missed
            items += missed_items
        if Symptom.BLEEDING in case.symptoms:
            findings.append(_bleeding_check(facts))
        if not pregnant:
            # A course whose start is dated on the assessment date is this prescription: the
            # two tests before the first prescription still decide it.
            starting_today = course.start_date == case.as_of
            if course.status in _ON_THERAPY and not starting_today:
                found, more = _ongoing_tests(case, course, tests, facts)
                assert course.start_date is not None  # an active or held course has started
                repeating.append(test_schedule(case, course.start_date, facts))
            else:
                initial = decide_initial_pregnancy_tests(case, kb)
                found, more = _initial_tests(initial, facts)
                if initial.outcome is InitialTestsOutcome.COMPLETE:
                    repeating.append(test_schedule(case, initial.prescribing_date, facts))
            findings += found
            items += more
            findings.append(_contraception(case, course, facts))
        if case.conditions.breastfeeding is None:
            findings.append(_breastfeeding_unknown(facts))
    elif female and not pregnant and Symptom.MISSED_PERIOD in case.symptoms:
        findings.append(_missed_period_not_frp(category, facts))

    if female and case.conditions.breastfeeding is True:
        findings.append(_breastfeeding(facts))
    if not female:
        findings += _male(course, facts, case.as_of)
    findings.append(_blood_donation(course, facts, case.as_of))
    findings += _rems_prescription(case, category, tests, kb)

    return PregnancyOutcome(
        findings=findings,
        monitoring=_merge_items(items),
        rems_category=category.category.value,
        rems_category_name=category.name,
        rems_category_basis=category.basis,
        rems_category_status=category.status,
        reproductive_potential=category.reproductive_potential,
        reproductive_potential_presumed=category.presumed,
        would_change=category.would_change,
        repeating=repeating,
    )


# ---------------------------------------------------------------- category and history


def _category_finding(category: RemsCategoryResult, kb: KnowledgeBase) -> Finding:
    rems = kb.get(RemsKnowledge)
    entries: list[Cited] = [rems.risk_categories]
    if category.reproductive_potential is not None:
        entries.append(kb.get(PregnancyKnowledge).reproductive_potential)
    return _finding(
        *entries,
        slug="rems_category",
        severity=Severity.INFO,
        summary=f"REMS risk category: {category.name}",
        detail="Decided from: " + "; ".join(category.basis) + ".",
        inputs={"category": category.category.value, "basis": category.basis},
    )


def _history_unknown(category: RemsCategoryResult, facts: PregnancyKnowledge) -> Finding:
    return _finding(
        facts.reproductive_potential,
        slug="reproductive_history_unknown",
        severity=Severity.WARNING,
        summary="Reproductive history incomplete: treated as able to become pregnant",
        detail=(
            "Until these facts are recorded, pregnancy tests and contraception are required. "
            "Any one of them would change the category to not of reproductive potential: "
            + "; ".join(category.would_change)
            + ". "
            + facts.reproductive_potential.text
        ),
        inputs={"would_change": category.would_change},
    )


def _tests_without_result(tests: _Tests, facts: PregnancyKnowledge) -> Finding:
    days = ", ".join(_day(t.date) for t in tests.without_result())
    return _finding(
        facts.initial_tests,
        slug="test_without_result",
        severity=Severity.WARNING,
        summary="Pregnancy test without a negative or positive result: record the result",
        detail=(
            f"Tests without a result: {days}. These tests do not count. Record the result "
            "(negative or positive) of each test."
        ),
        inputs={"dates": days},
    )


# ---------------------------------------------------------------- pregnancy and missed period


def _pregnancy(
    case: Case,
    course: Course,
    tests: _Tests,
    category: RemsCategoryResult,
    facts: PregnancyKnowledge,
) -> list[Finding]:
    """A positive test or `conditions.pregnant`: contraindicated, or stop now on therapy."""
    far = facts.initial_tests.first_window_days_before[1]
    anchor = course.start_date if course.status in _ON_THERAPY else case.as_of
    assert anchor is not None  # an active or held course has a start date
    positives = tests.positives_since(anchor - dt.timedelta(days=far))
    evidence = [_test_words(t) for t in positives]
    if case.conditions.pregnant is True:
        evidence.insert(0, "conditions.pregnant is true")
    if not evidence:
        return []
    if Symptom.MISSED_PERIOD in case.symptoms:
        evidence.append("missed period reported")
    on_therapy_facts = facts.pregnancy_on_therapy
    phones = (
        f"FDA MedWatch {on_therapy_facts.fda_medwatch_phone}; manufacturer "
        f"{on_therapy_facts.manufacturer_phone}."
    )
    inputs = {
        "conditions.pregnant": case.conditions.pregnant,
        "positive_tests": [_test_input(t) for t in positives],
        "course": course.status.value,
    }
    doubt = (
        ""
        if category.reproductive_potential
        else " The case classes this patient as not able to become pregnant ("
        + "; ".join(category.basis)
        + "): check the reproductive history."
    )
    if course.status in _ON_THERAPY:
        return [
            _blocking(
                on_therapy_facts,
                facts.contraindication,
                slug="pregnancy_on_therapy",
                requires_dose_action=DoseAction.STOP,
                summary="Pregnancy during lenalidomide: stop it now, refer and report",
                detail=(
                    "Evidence: "
                    + "; ".join(evidence)
                    + f". {on_therapy_facts.text} Report to: {phones}{doubt}"
                ),
                inputs=inputs,
            )
        ]
    entries: list[Cited] = [facts.contraindication, facts.initial_tests]
    exposure = ""
    if course.start_date is not None and any(t.date >= course.start_date for t in positives):
        entries.append(on_therapy_facts)
        exposure = (
            " The pregnancy may have begun during the last course: "
            f"{on_therapy_facts.text} Report to: {phones}"
        )
    return [
        _blocking(
            *entries,
            slug="pregnancy_contraindicated",
            requires_dose_action=DoseAction.STOP,
            summary="Pregnancy: lenalidomide is contraindicated, do not prescribe",
            detail=(
                "Evidence: "
                + "; ".join(evidence)
                + f". {facts.contraindication.text} Any later start again needs two new negative "
                "pregnancy tests." + exposure + doubt
            ),
            inputs=inputs,
        )
    ]


def _pregnant_flag_on_male(facts: PregnancyKnowledge) -> Finding:
    return _finding(
        facts.contraindication,
        slug="pregnant_flag_male",
        severity=Severity.WARNING,
        summary="conditions.pregnant is true for a male patient: check the case",
        detail="The pregnancy flag applies to female patients; correct the sex or the flag.",
        inputs={"conditions.pregnant": True, "sex": Sex.MALE.value},
    )


def _missed_period(
    case: Case, course: Course, tests: _Tests, kb: KnowledgeBase
) -> tuple[list[Finding], list[MonitoringItem]]:
    """The single finding for a missed period in a female who can become pregnant.

    It holds the clinician's steps (interrupt, test, counsel; label §5.1) and the patient's
    instruction from the symptoms topic, which adds no finding of its own for this symptom.
    """
    if Symptom.MISSED_PERIOD not in case.symptoms:
        return [], []
    facts = kb.get(PregnancyKnowledge)
    symptom = kb.get(SymptomsKnowledge).entry(Symptom.MISSED_PERIOD)
    today = case.as_of
    tested_today = [t for t in tests.all if t.date == today and tests.qualifies(t)]
    step = (
        "interrupt lenalidomide"
        if course.status in _ON_THERAPY
        else "exclude pregnancy before any prescription"
    )
    if tested_today:
        summary = (
            f"Missed period: {step}; negative test today ({_day(today)}), counselling and "
            "evaluation still needed"
        )
        status_words = (
            f"A negative test is recorded today ({_day(today)}); finish the evaluation and "
            "counselling, then remove missed_period from the case's symptoms."
        )
    else:
        summary = (
            f"Missed period: {step}; pregnancy test needed today ({_day(today)}), and counselling"
        )
        status_words = f"A pregnancy test is needed now ({_day(today)})."
    finding = _blocking(
        facts.missed_period,
        symptom,
        slug="missed_period",
        requires_dose_action=DoseAction.HOLD if course.status in _ON_THERAPY else None,
        summary=summary,
        detail=(
            f"{facts.missed_period.text} {status_words} Tell the patient: {words(symptom, 'instruction')}"
        ),
        inputs={"symptoms": [Symptom.MISSED_PERIOD.value], "course": course.status.value},
    )
    items = (
        []
        if tested_today
        else [_item(today, "missed period: pregnancy test and counselling", facts.missed_period)]
    )
    return [finding], items


def _bleeding_check(facts: PregnancyKnowledge) -> Finding:
    """`bleeding` is not specific (low platelets cause it too), so it asks; it does not block."""
    return _finding(
        facts.missed_period,
        slug="bleeding_check",
        severity=Severity.WARNING,
        summary="Bleeding reported: ask whether it is unusual menstrual bleeding",
        detail=(
            f"{facts.missed_period.text} If the bleeding is unusual menstrual bleeding, handle it "
            "like a missed period: record missed_period or a pregnancy test result in the case."
        ),
        inputs={"symptoms": [Symptom.BLEEDING.value]},
    )


def _missed_period_not_frp(category: RemsCategoryResult, facts: PregnancyKnowledge) -> Finding:
    """A missed period in a female whose record says she cannot become pregnant.

    The record contradicts itself: a missed period implies recent menstrual cycles. Until a
    clinician resolves it (the history or the symptom is wrong), it blocks, because the safety
    of not testing rests on that history.
    """
    return _blocking(
        facts.reproductive_potential,
        facts.missed_period,
        slug="missed_period_not_frp",
        summary=(
            "Missed period reported by a patient classed as not able to become pregnant: "
            "resolve the record before prescribing"
        ),
        detail=(
            "Category basis: "
            + "; ".join(category.basis)
            + ". A missed period implies recent menstrual cycles, so the history or the "
            "reported symptom is wrong. If she could be pregnant, correct the history: "
            f"pregnancy tests and counselling then apply. {facts.missed_period.text} If the "
            "symptom was recorded in error, remove missed_period from the case."
        ),
        inputs={"symptoms": [Symptom.MISSED_PERIOD.value], "basis": category.basis},
    )


# ---------------------------------------------------------------- tests before the first prescription


class InitialTestsOutcome(StrEnum):
    """Where the two negative tests before the first prescription stand."""

    FIRST_MISSING = "first_missing"
    """No qualifying negative test in the first test's window."""
    SECOND_MISSING = "second_missing"
    """The first test is in its window; none within the hours before prescribing."""
    COMPLETE = "complete"
    """Both tests are negative and in their windows."""


@dataclass(frozen=True)
class InitialPregnancyTestsDecision:
    """The two negative pregnancy tests before a first prescription on the assessment date.

    A frozen dataclass rather than a pydantic model: it carries the case's own lab results,
    which were validated against the knowledge base with the case and need no second pass.
    """

    prescribing_date: dt.date
    """The assessment date (case.as_of)."""
    window_days: tuple[int, int]
    """The first test falls this many days before prescribing (nearest, farthest)."""
    first_window: tuple[dt.date, dt.date]
    """Dates the first test may carry."""
    window_hours: int
    """The second test falls within these hours before prescribing."""
    second_window: tuple[dt.date, dt.date]
    """Calendar dates the second test may carry (dated the day before: confirm the hour)."""
    tests_on_record: tuple[LabResult, ...]
    first_test: LabResult | None
    second_test: LabResult | None
    outcome: InitialTestsOutcome
    tests_not_counted: tuple[LabResult, ...]
    """Negative tests in the windows whose assay is not sensitive enough."""
    sensitivity_unstated: tuple[LabResult, ...]
    """Tests counted without a stated assay sensitivity (to be confirmed)."""
    entries: tuple[Cited, ...]
    """The knowledge entries the decision rests on."""
    first_test_candidate: LabResult | None = None
    """First missing: a recent negative test that can be the first test of a later
    prescription; None when a new first test is needed."""
    earliest_prescribing_date: dt.date | None = None
    """First missing: the earliest date a prescription can follow."""
    latest_prescribing_date: dt.date | None = None
    """First missing: the last prescribing date that first test supports."""
    first_test_valid_until: dt.date | None = None
    """Second missing: the last prescribing date the first test supports."""
    second_test_previous_day: bool = False
    """Complete, with the second test dated the day before."""
    first_weekly_test: dt.date | None = None
    """Complete: the first weekly test if treatment starts today."""


def _second_window_start(prescribing: dt.date, hours: int) -> dt.date:
    """The earliest calendar date a test 'within `hours` before prescribing' can carry."""
    start_of_day = dt.datetime.combine(prescribing, dt.time.min)
    return (start_of_day - dt.timedelta(hours=hours)).date()


def decide_initial_pregnancy_tests(case: Case, kb: KnowledgeBase) -> InitialPregnancyTestsDecision:
    """Whether the two negative tests before a first prescription on `case.as_of` are done.

    With no first test in its window, a recent negative test that is too close to today can
    still be the first test of a later prescription (it sets the earliest and latest dates);
    otherwise a first test today sets them.
    """
    facts = kb.get(PregnancyKnowledge)
    tests = _tests(case, facts)
    rule = facts.initial_tests
    near, far = rule.first_window_days_before
    prescribing = case.as_of
    window_from = prescribing - dt.timedelta(days=far)
    window_to = prescribing - dt.timedelta(days=near)
    second_from = _second_window_start(prescribing, rule.second_within_hours)
    firsts = tests.negatives_between(window_from, window_to)
    seconds = tests.negatives_between(second_from, prescribing)
    first = firsts[-1] if firsts else None
    second = seconds[-1] if seconds else None
    used = [t for t in (first, second) if t is not None]
    not_counted, unstated = _sensitivity_check(tests, used, window_from, prescribing)
    decision = partial(
        InitialPregnancyTestsDecision,
        prescribing_date=prescribing,
        window_days=(near, far),
        first_window=(window_from, window_to),
        window_hours=rule.second_within_hours,
        second_window=(second_from, prescribing),
        tests_on_record=tests.all,
        first_test=first,
        second_test=second,
        tests_not_counted=tuple(not_counted),
        sensitivity_unstated=tuple(unstated),
    )
    sensitivity = (facts.test_sensitivity,) if not_counted or unstated else ()
    if first is None:
        later = [
            t
            for t in tests.negatives_between(window_to + dt.timedelta(days=1), prescribing)
            if t.date + dt.timedelta(days=near) > prescribing
        ]
        anchor = later[0] if later else None
        from_day = prescribing if anchor is None else anchor.date
        return decision(
            outcome=InitialTestsOutcome.FIRST_MISSING,
            first_test_candidate=anchor,
            earliest_prescribing_date=from_day + dt.timedelta(days=near),
            latest_prescribing_date=from_day + dt.timedelta(days=far),
            entries=(rule, *sensitivity),
        )
    if second is None:
        return decision(
            outcome=InitialTestsOutcome.SECOND_MISSING,
            first_test_valid_until=first.date + dt.timedelta(days=far),
            entries=(rule, *sensitivity),
        )
    weekly = facts.ongoing_tests
    return decision(
        outcome=InitialTestsOutcome.COMPLETE,
        second_test_previous_day=second.date < prescribing,
        first_weekly_test=prescribing + dt.timedelta(days=weekly.weekly_interval_days),
        entries=(rule, weekly, *sensitivity),
    )


def _initial_words(decision: InitialPregnancyTestsDecision) -> tuple[str, str, dict]:
    """The first window and the second test's hours in words, and the inputs of the findings."""
    near, far = decision.window_days
    window_words = f"{_n(near)}–{_n(far)} days before prescribing"
    second_words = f"within {_n(decision.window_hours)} hours before prescribing"
    inputs = {
        "prescribing_date": _day(decision.prescribing_date),
        "first_window": [_day(day) for day in decision.first_window],
        "second_window": [_day(day) for day in decision.second_window],
        "pregnancy_tests": [_test_input(t) for t in decision.tests_on_record],
    }
    return window_words, second_words, inputs


def _first_test_missing(
    decision: InitialPregnancyTestsDecision, rule: InitialPregnancyTests
) -> tuple[Finding, list[MonitoringItem]]:
    window_words, second_words, inputs = _initial_words(decision)
    prescribing = decision.prescribing_date
    window_from, window_to = decision.first_window
    earliest, latest = decision.earliest_prescribing_date, decision.latest_prescribing_date
    assert earliest is not None and latest is not None  # set whenever the first is missing
    anchor = decision.first_test_candidate
    items: list[MonitoringItem] = []
    if anchor is not None:
        plan = (
            f"The negative test on {_day(anchor.date)} can be the first test if the "
            f"prescription is written from {_day(earliest)} to {_day(latest)}; the second "
            f"negative test is then needed {second_words}."
        )
    else:
        plan = (
            f"A first negative test today ({_day(prescribing)}) allows prescribing from "
            f"{_day(earliest)} to {_day(latest)}, with the second negative test "
            f"{second_words}."
        )
        items.append(
            _item(
                prescribing,
                f"first of the two pregnancy tests before the first prescription ({window_words})",
                rule,
            )
        )
    items.append(
        _item(
            earliest,
            f"second pregnancy test before the first prescription ({second_words}; "
            f"earliest prescribing date {_day(earliest)})",
            rule,
        )
    )
    finding = _blocking(
        rule,
        slug="first_test_missing",
        summary=(
            f"First negative pregnancy test missing: earliest prescribing date now {_day(earliest)}"
        ),
        detail=(
            f"For a prescription on {_day(prescribing)} it had to be dated {_day(window_from)} to "
            f"{_day(window_to)} ({window_words}). {rule.text} {plan}"
        ),
        inputs=inputs,
        # the next test this plan needs (already on the monitoring list): ordering it is the fix
        tests_due=[TestDue(test=PREGNANCY_TEST, by=items[0].due)],
    )
    return finding, items


def _second_test_missing(
    decision: InitialPregnancyTestsDecision, rule: InitialPregnancyTests
) -> tuple[Finding, list[MonitoringItem]]:
    _, second_words, inputs = _initial_words(decision)
    prescribing = decision.prescribing_date
    first, last_chance = decision.first_test, decision.first_test_valid_until
    assert first is not None and last_chance is not None  # the first test is in its window
    second_from = decision.second_window[0]
    second_days = " or ".join(
        _day(prescribing - dt.timedelta(days=back))
        for back in range((prescribing - second_from).days + 1)
    )
    item = _item(
        prescribing,
        f"second pregnancy test before the first prescription ({second_words})",
        rule,
    )
    finding = _blocking(
        rule,
        slug="second_test_missing",
        summary=(
            f"Second negative pregnancy test needed on {second_days} ({second_words} "
            f"on {_day(prescribing)})"
        ),
        detail=(
            f"{rule.text} The first negative test ({_day(first.date)}) is in the window. "
            f"It supports a prescription written up to {_day(last_chance)}, each time "
            f"with a second negative test {second_words}."
        ),
        inputs=inputs,
    )
    return finding, [item]


def _initial_tests_complete(
    decision: InitialPregnancyTestsDecision, facts: PregnancyKnowledge
) -> tuple[Finding, list[MonitoringItem]]:
    rule, weekly = facts.initial_tests, facts.ongoing_tests
    window_words, second_words, inputs = _initial_words(decision)
    prescribing = decision.prescribing_date
    first, second, next_due = decision.first_test, decision.second_test, decision.first_weekly_test
    assert first is not None and second is not None and next_due is not None  # complete
    previous_day = decision.second_test_previous_day
    confirm = (
        f" The second test is dated the day before: confirm it was taken {second_words} "
        "(the case holds dates, not times)."
        if previous_day
        else ""
    )
    finding = _finding(
        rule,
        slug="pretreatment_tests_complete",
        severity=Severity.WARNING if previous_day else Severity.INFO,
        summary=(
            f"Two negative pregnancy tests before the first prescription: "
            f"{_day(first.date)} and {_day(second.date)}"
        ),
        detail=(
            f"The first is {window_words} and the second {second_words} on "
            f"{_day(prescribing)}.{confirm}"
        ),
        inputs=inputs,
    )
    item = _item(
        next_due,
        f"first weekly pregnancy test if lenalidomide starts on {_day(prescribing)}",
        weekly,
    )
    return finding, [item]


def _initial_tests(
    decision: InitialPregnancyTestsDecision, facts: PregnancyKnowledge
) -> tuple[list[Finding], list[MonitoringItem]]:
    """The decision on the tests before the first prescription, in findings and test dates."""
    if decision.outcome is InitialTestsOutcome.FIRST_MISSING:
        finding, items = _first_test_missing(decision, facts.initial_tests)
    elif decision.outcome is InitialTestsOutcome.SECOND_MISSING:
        finding, items = _second_test_missing(decision, facts.initial_tests)
    else:
        finding, items = _initial_tests_complete(decision, facts)
    sensitivity = _sensitivity_findings(
        decision.tests_not_counted, decision.sensitivity_unstated, facts
    )
    return [finding, *sensitivity], items


# ---------------------------------------------------------------- tests on treatment


def _later_interval_weeks(case: Case, facts: PregnancyKnowledge) -> int:
    """After the weekly phase: by menstrual regularity; unknown takes the stricter interval."""
    rule = facts.ongoing_tests
    regular = (
        None if case.patient.reproductive is None else case.patient.reproductive.menses_regular
    )
    if regular is True:
        return rule.regular_menses_interval_weeks
    return rule.irregular_menses_interval_weeks


def test_schedule(case: Case, start: dt.date, facts: PregnancyKnowledge) -> RepeatingTest:
    """The pregnancy tests of a female of reproductive potential on treatment started (or
    starting) on `start`: weekly for the weekly phase, then by menstrual regularity."""
    rule = facts.ongoing_tests
    return RepeatingTest(
        test=PREGNANCY_TEST,
        faster_until=start + dt.timedelta(weeks=rule.weekly_phase_weeks),
        first_interval_days=rule.weekly_interval_days,
        later_interval_days=dt.timedelta(weeks=_later_interval_weeks(case, facts)).days,
    )


def _ongoing_tests(
    case: Case, course: Course, tests: _Tests, facts: PregnancyKnowledge
) -> tuple[list[Finding], list[MonitoringItem]]:
    rule = facts.ongoing_tests
    today = case.as_of
    start = course.start_date
    assert start is not None  # an active or held course has a start date
    weekly_until = start + dt.timedelta(weeks=rule.weekly_phase_weeks)
    regular = (
        None if case.patient.reproductive is None else case.patient.reproductive.menses_regular
    )
    if regular is True:
        later_weeks, later_words = rule.regular_menses_interval_weeks, "menses regular"
    elif regular is False:
        later_weeks, later_words = rule.irregular_menses_interval_weeks, "menses irregular"
    else:
        later_weeks = rule.irregular_menses_interval_weeks
        later_words = (
            "menstrual regularity unknown, so the stricter interval for irregular menses is used "
            "(record patient.reproductive.menses_regular)"
        )
    phase = (
        f"weekly for the first {_n(rule.weekly_phase_weeks)} weeks from the start on "
        f"{_day(start)} (until {_day(weekly_until)}), then every {_n(later_weeks)} weeks "
        f"({later_words})"
    )
    interruption = (
        f" Testing continues during the interruption since {_day(course.held_since)}."
        if course.status is CourseStatus.HELD and course.held_since is not None
        else ""
    )
    last = tests.latest_negative(today)
    inputs = {
        "course": course.status.value,
        "course_start": _day(start),
        "menses_regular": regular,
        "last_negative_test": None if last is None else _test_input(last),
    }
    findings: list[Finding] = []
    if last is None:
        findings.append(
            _blocking(
                rule,
                slug="test_overdue",
                summary=(
                    f"No negative pregnancy test recorded: a test is needed now ({_day(today)}) "
                    "before lenalidomide continues"
                ),
                detail=f"{rule.text} Schedule: {phase}.{interruption}",
                inputs=inputs,
            )
        )
        item = _item(today, "pregnancy test on treatment: none recorded", rule)
        findings += _sensitivity(tests, [], start, today, facts)
        return findings, [item]

    due = test_schedule(case, start, facts).following(last.date)
    if last.date < weekly_until:
        interval_words = "weekly phase"
    else:
        interval_words = f"every {_n(later_weeks)} weeks ({later_words})"
    reason = f"pregnancy test on treatment, {interval_words}; last negative {_day(last.date)}"
    if due <= today:
        when = "due today" if due == today else f"overdue since {_day(due)}"
        findings.append(
            _blocking(
                rule,
                slug="test_overdue",
                summary=(
                    f"Pregnancy test {when}: a negative test is needed by {_day(today)} before "
                    "lenalidomide continues"
                ),
                detail=(
                    f"{rule.text} Last negative test {_day(last.date)}. Schedule: {phase}."
                    f"{interruption}"
                ),
                inputs=inputs,
                tests_due=[TestDue(test=PREGNANCY_TEST, by=today)],
            )
        )
    else:
        findings.append(
            _finding(
                rule,
                slug="test_schedule",
                severity=Severity.INFO,
                summary=f"Next pregnancy test due {_day(due)}",
                detail=(f"Last negative test {_day(last.date)}. Schedule: {phase}.{interruption}"),
                inputs=inputs,
                tests_due=[TestDue(test=PREGNANCY_TEST, by=due)],
            )
        )
    findings += _sensitivity(tests, [last], last.date, today, facts)
    return findings, [_item(due, reason, rule)]


# ---------------------------------------------------------------- assay sensitivity


def _sensitivity_check(
    tests: _Tests, used: list[LabResult], since: dt.date, until: dt.date
) -> tuple[list[LabResult], list[LabResult]]:
    """(negative tests from `since` to `until` not counted because the assay is not sensitive
    enough, used tests whose sensitivity is not stated)."""
    weak = [t for t in tests.all if since <= t.date <= until and tests.too_insensitive(t)]
    return weak, [t for t in used if t.sensitivity_miu_ml is None]


def _sensitivity(
    tests: _Tests,
    used: list[LabResult],
    since: dt.date,
    until: dt.date,
    facts: PregnancyKnowledge,
) -> list[Finding]:
    """The sensitivity check of the tests used, in findings."""
    return _sensitivity_findings(*_sensitivity_check(tests, used, since, until), facts)


def _sensitivity_findings(
    weak: Sequence[LabResult], unknown: Sequence[LabResult], facts: PregnancyKnowledge
) -> list[Finding]:
    """Warn about negative tests not counted (assay not sensitive enough) and used tests whose
    sensitivity is not stated."""
    rule = facts.test_sensitivity
    limit = _n(rule.detection_limit_max_miu_ml)
    found: list[Finding] = []
    if weak:
        found.append(
            _finding(
                rule,
                slug="test_not_sensitive_enough",
                severity=Severity.WARNING,
                summary=(
                    "Negative pregnancy test(s) not counted: assay less sensitive than "
                    f"{limit} mIU/mL"
                ),
                detail=(
                    "Not counted: "
                    + "; ".join(_test_words(t) for t in weak)
                    + f". {rule.comparison}"
                ),
                inputs={"tests": [_test_input(t) for t in weak]},
            )
        )
    if unknown:
        found.append(
            _finding(
                rule,
                slug="test_sensitivity_unknown",
                severity=Severity.WARNING,
                summary=(
                    "Pregnancy test sensitivity not recorded: confirm the assay detects hCG at "
                    f"{limit} mIU/mL or less"
                ),
                detail=(
                    "Counted, sensitivity not stated: "
                    + "; ".join(_test_words(t) for t in unknown)
                    + f". Record sensitivity_miu_ml. {rule.comparison}"
                ),
                inputs={"tests": [_test_input(t) for t in unknown]},
            )
        )
    return found


# ---------------------------------------------------------------- contraception and lactation


def _after_stop(course: Course, weeks: int) -> dt.date | None:
    if course.status is CourseStatus.STOPPED and course.stopped_on is not None:
        return course.stopped_on + dt.timedelta(weeks=weeks)
    return None


def _until_words(until: dt.date | None, today: dt.date) -> str:
    """' (until DATE)' while a period after the last dose runs, ' (ended DATE)' once past."""
    if until is None:
        return ""
    return f" (until {_day(until)})" if until >= today else f" (ended {_day(until)})"


def _contraception(case: Case, course: Course, facts: PregnancyKnowledge) -> Finding:
    rule = facts.contraception
    before, after = _n(rule.weeks_before), _n(rule.weeks_after)
    since = case.as_of - dt.timedelta(weeks=rule.weeks_before)
    common = (
        f"{rule.text} Timing: at least {before} weeks before the first dose, through treatment "
        f"and interruptions, and at least {after} weeks after the last dose. {rule.infertility}"
    )
    if course.status in _ON_THERAPY:
        return _finding(
            rule,
            slug="contraception",
            severity=Severity.INFO,
            summary=(
                "Contraception: two reliable methods at once (or abstinence) throughout "
                f"treatment, interruptions and {after} weeks after the last dose"
            ),
            detail=common,
            inputs={"course": course.status.value},
        )
    until = _after_stop(course, rule.weeks_after)
    continuing = (
        f" After the last course (stopped {_day(course.stopped_on)}), continue until at least "
        f"{_day(until)}."
        if until is not None and course.stopped_on is not None and until >= case.as_of
        else ""
    )
    return _finding(
        rule,
        slug="contraception",
        severity=Severity.WARNING,
        summary=(
            "Confirm contraception before prescribing: two reliable methods at once (or "
            f"abstinence) in use since {_day(since)} or earlier"
        ),
        detail=(
            f"For a first dose on {_day(case.as_of)} the methods must have been in use since "
            f"{_day(since)}. lenaguard cannot see this in the case; the prescriber confirms it "
            f"(REMS survey). {common}{continuing}"
        ),
        inputs={"course": course.status.value, "in_use_since": _day(since)},
    )


def _breastfeeding(facts: PregnancyKnowledge) -> Finding:
    return _finding(
        facts.lactation,
        slug="breastfeeding",
        severity=Severity.WARNING,
        summary="Breastfeeding: advise her not to breastfeed while taking lenalidomide",
        detail=f"{facts.lactation.text} Agree on stopping breastfeeding before the first dose.",
        inputs={"conditions.breastfeeding": True},
    )


def _breastfeeding_unknown(facts: PregnancyKnowledge) -> Finding:
    return _finding(
        facts.lactation,
        slug="breastfeeding_unknown",
        severity=Severity.INFO,
        summary="Breastfeeding not recorded: ask, and advise not to breastfeed on lenalidomide",
        detail=f"{facts.lactation.text} Record conditions.breastfeeding.",
        inputs={"conditions.breastfeeding": None},
    )


# ---------------------------------------------------------------- males and donations


def _male(course: Course, facts: PregnancyKnowledge, today: dt.date) -> list[Finding]:
    tail = facts.male_after_stopping
    until_words = _until_words(_after_stop(course, tail.weeks_after), today)
    return [
        _finding(
            facts.male_condom,
            slug="male_condom",
            severity=Severity.INFO,
            summary="Condom with any partner who is or could become pregnant; no sperm donation",
            detail=facts.male_condom.text,
            inputs={"sex": Sex.MALE.value},
        ),
        _finding(
            tail,
            slug="male_after_stopping",
            severity=Severity.INFO,
            summary=(
                f"Keep using condoms and do not donate sperm for {_n(tail.weeks_after)} weeks "
                f"after the last dose{until_words}"
            ),
            detail=tail.text,
            inputs={"course": course.status.value},
        ),
    ]


def _blood_donation(course: Course, facts: PregnancyKnowledge, today: dt.date) -> Finding:
    rule = facts.blood_donation
    until_words = _until_words(_after_stop(course, rule.weeks_after), today)
    return _finding(
        rule,
        slug="blood_donation",
        severity=Severity.INFO,
        summary=(
            "No blood donation during treatment, interruptions and "
            f"{_n(rule.weeks_after)} weeks after the last dose{until_words}"
        ),
        detail=rule.text,
        inputs={"course": course.status.value},
    )


# ---------------------------------------------------------------- REMS prescription conditions


def _rems_prescription(
    case: Case, category: RemsCategoryResult, tests: _Tests, kb: KnowledgeBase
) -> list[Finding]:
    rems = kb.get(RemsKnowledge)
    limits = rems.prescription_limits
    validity = rems.authorization_validity
    refills = (
        "no refills" if limits.max_refills == 0 else f"at most {_n(limits.max_refills)} refills"
    )
    phone = "" if limits.telephone_prescriptions_allowed else "; no telephone prescriptions"
    findings = [
        _finding(
            limits,
            slug="rems_prescription_limits",
            severity=Severity.INFO,
            summary=(
                f"REMS prescription: at most {_n(limits.max_days_supply)} days' supply, "
                f"{refills}{phone}"
            ),
            detail=limits.text,
        )
    ]
    validity_note = ""
    if category.category.reproductive_potential:
        last = tests.latest_negative(case.as_of)
        if last is None:
            validity_words = (
                f"valid {_n(validity.reproductive_potential_days_from_last_test)} days from the "
                "date of the last negative pregnancy test (none recorded yet)"
            )
        else:
            expires = authorization_expires(category.category, case.as_of, last.date, kb)
            days = _n(validity.reproductive_potential_days_from_last_test)
            if expires >= case.as_of:
                validity_words = (
                    f"valid {days} days from the last negative pregnancy test "
                    f"({_day(last.date)}): through {_day(expires)}"
                )
            else:
                validity_words = (
                    f"needs a new pregnancy test: the last negative one ({_day(last.date)}) "
                    f"supported it only through {_day(expires)}"
                )
                validity_note = (
                    f"The authorization number is valid {days} days from the last negative "
                    "pregnancy test. "
                )
    else:
        expires = authorization_expires(category.category, case.as_of, None, kb)
        validity_words = (
            f"valid {_n(validity.other_days_from_issue)} days from issue: if issued on "
            f"{_day(case.as_of)}, through {_day(expires)}"
        )
    findings.append(
        _finding(
            validity,
            rems.authorization_on_prescription,
            slug="rems_authorization",
            severity=Severity.INFO,
            summary=f"REMS authorization number {validity_words}",
            detail=(
                validity_note
                + " ".join(rems.authorization_on_prescription.items)
                + f" {validity.text} The start date counts as day one."
            ),
            inputs={"category": category.category.value},
        )
    )
    surveys = survey_requirement(category.category, kb)
    findings.append(
        _finding(
            rems.surveys,
            rems.dispense_counselling,
            slug="rems_surveys",
            severity=Severity.INFO,
            summary=f"REMS patient survey {surveys.text}",
            detail=f"{rems.surveys.text} {rems.dispense_counselling.text}",
            inputs={"category": category.category.value},
        )
    )
    return findings
