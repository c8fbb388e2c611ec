"""MDS with del(5q): red-cell transfusion independence and erythroid improvement (IWG HI-E).

Transfusion independence is the endpoint of the pivotal lenalidomide MDS trial: a run of
consecutive days on treatment without any RBC transfusion. Erythroid haematological improvement (HI-E) follows the IWG
criteria: a haemoglobin rise, or fewer RBC units in a window on treatment than in the same
window before it, for patients whose pretreatment haemoglobin was low enough. Treatment runs
from the start of the current course to the stop date (or the assessment date); holds count as
treatment. All day counts are calendar days, both ends included.

`decide_mds_response` returns the typed `MdsResponseDecision` (independence, the pretreatment
transfusions, HI-E by either route); `assess_mds_response` words it into the assessment's
`MdsResponse` and its findings.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from lenaguard.case import Case, Transfusion
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.response import ResponseKnowledge, TransfusionIndependence
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.text import format_number
from lenaguard.vocab import Category, LabTest, Severity, TransfusionKind

_response_finding = Finding.maker(Category.RESPONSE)


_ONE_DAY = dt.timedelta(days=1)


class MdsResponse(Frozen):
    """Transfusion independence and HI-E for the current course."""

    treatment_start: dt.date
    treatment_end: dt.date = Field(description="Stop date, or the assessment date.")
    treatment_days: int
    transfusion_independent: bool | None = Field(
        description="Null while the course is shorter than the independence window."
    )
    longest_transfusion_free_days: int
    rbc_units_on_treatment: int
    pretreatment_hemoglobin_g_dl: float | None
    pretreatment_rbc_units: int | None = Field(
        description="Qualifying RBC units in the window before the start (IWG counting)."
    )
    fewest_rbc_units_in_window: int | None = Field(
        description="Fewest RBC units in any full window on treatment."
    )
    hi_e: bool | None = Field(description="Null when not applicable, not assessable or too early.")
    hi_e_by: list[str] = Field(default_factory=list, description="hemoglobin_rise, rbc_reduction")
    basis: list[str]
    status: Status
    citations: list[Citation] = Field(min_length=1)


@dataclass(frozen=True)
class TransfusionIndependenceDecision:
    """RBC transfusion independence on treatment: the longest run without an RBC transfusion.

    A frozen dataclass, like `MdsResponseDecision`: it carries the case's own transfusion
    records, validated with the case, which a pydantic model would validate again.
    """

    independent: bool | None
    """None while the course is shorter than the independence window."""
    longest_free_days: int
    free_from: dt.date | None
    """First day of that run (None: every day had a transfusion)."""
    free_to: dt.date | None
    """Last day of that run."""
    rbc_transfusions: tuple[Transfusion, ...]
    """RBC transfusions on treatment."""
    resumed: tuple[Transfusion, ...]
    """Independent, but RBC transfusions on record again after the run."""


class HemoglobinRise(Frozen):
    """The haemoglobin route of HI-E: a rise kept for the required weeks."""

    met: bool | None = Field(description="Null: no value on treatment, or not kept long enough.")
    measured: bool = Field(description="A haemoglobin result on treatment is on record.")
    kept_from: dt.date | None = Field(
        default=None, description="Met: first day of the kept rise; undecided: the rise since."
    )
    kept_to: dt.date | None = Field(default=None, description="Met: last day of the kept rise.")
    latest_g_dl: float | None = Field(default=None, description="Not met: the latest value.")
    latest_date: dt.date | None = None


class RbcUnitReduction(Frozen):
    """The transfusion route of HI-E: fewer RBC units in a window than in the one before."""

    met: bool | None = Field(description="Null while no full window on treatment has passed.")
    possible: bool = Field(description="The pretreatment units allow the reduction at all.")
    pretreatment_units: int
    fewest_units_in_window: int | None


class ErythroidApplicability(StrEnum):
    """Whether HI-E applies, from the pretreatment haemoglobin."""

    NO_PRETREATMENT_HEMOGLOBIN = "no_pretreatment_hemoglobin"
    NOT_LOW = "not_low"
    """Not below the HI-E limit: HI-E does not apply."""
    APPLIES = "applies"


class ErythroidImprovementDecision(Frozen):
    """Erythroid haematological improvement (IWG HI-E) by either route."""

    applicability: ErythroidApplicability
    pretreatment_hemoglobin_g_dl: float | None
    met: bool | None = Field(description="Null when not applicable, not assessable or too early.")
    met_by: list[str] = Field(default_factory=list, description="hemoglobin_rise, rbc_reduction")
    hemoglobin_rise: HemoglobinRise | None = None
    rbc_reduction: RbcUnitReduction | None = None


@dataclass(frozen=True)
class MdsResponseDecision:
    """Transfusion independence and HI-E of the current course, as decided from the case.

    A frozen dataclass: it carries the case's own transfusion records (see
    `TransfusionIndependenceDecision`).
    """

    treatment_start: dt.date
    treatment_end: dt.date
    """Stop date, or the assessment date."""
    treatment_days: int
    transfusion_independence: TransfusionIndependenceDecision
    pretreatment_window: tuple[dt.date, dt.date]
    """The weeks before the start whose RBC transfusions are counted."""
    pretreatment_transfusions: tuple[Transfusion, ...]
    pretreatment_hemoglobin_unknown: tuple[Transfusion, ...]
    """Pretreatment RBC transfusions left out: no pre-transfusion haemoglobin."""
    pretreatment_rbc_units: int
    """Qualifying units (IWG counting)."""
    fewest_rbc_units_in_window: int | None
    """Fewest RBC units in any full window on treatment."""
    erythroid_improvement: ErythroidImprovementDecision
    entries: tuple[Cited, ...]
    """The knowledge entries the decision rests on."""


def _rbc(transfusions: list[Transfusion], first: dt.date, last: dt.date) -> list[Transfusion]:
    return sorted(
        (
            item
            for item in transfusions
            if item.kind is TransfusionKind.RBC and first <= item.date <= last
        ),
        key=lambda item: item.date,
    )


def longest_transfusion_free_run(
    transfusion_dates: list[dt.date], start: dt.date, end: dt.date
) -> tuple[int, dt.date | None, dt.date | None]:
    """Longest run of days in [start, end] without a transfusion: (days, first, last day).

    Ends included; the earliest run wins a tie; (0, None, None) when every day had one.
    """
    days = sorted({day for day in transfusion_dates if start <= day <= end})
    bounds = [start - _ONE_DAY, *days, end + _ONE_DAY]
    best: tuple[int, dt.date | None, dt.date | None] = (0, None, None)
    for before, after in zip(bounds, bounds[1:], strict=False):
        length = (after - before).days - 1
        if length > best[0]:
            best = (length, before + _ONE_DAY, after - _ONE_DAY)
    return best


def longest_transfusion_free_days(
    transfusion_dates: list[dt.date], start: dt.date, end: dt.date
) -> int:
    """Longest run of consecutive days in [start, end] without a transfusion (ends included)."""
    return longest_transfusion_free_run(transfusion_dates, start, end)[0]


def fewest_units_in_window(
    transfusions: Sequence[Transfusion], start: dt.date, end: dt.date, window: dt.timedelta
) -> int | None:
    """Fewest RBC units in any full window that lies inside [start, end]; None if none fits."""
    last_start = end - window + _ONE_DAY
    if last_start < start:
        return None
    fewest: int | None = None
    day = start
    while day <= last_start:
        units = sum(item.units for item in transfusions if day <= item.date < day + window)
        fewest = units if fewest is None else min(fewest, units)
        if fewest == 0:
            break
        day += _ONE_DAY
    return fewest


# --- the decision ------------------------------------------------------------------------------


def _independence(
    case: Case, rule: TransfusionIndependence, start: dt.date, end: dt.date
) -> TransfusionIndependenceDecision:
    on_treatment = _rbc(case.transfusions, start, end)
    longest, run_from, run_to = longest_transfusion_free_run(
        [item.date for item in on_treatment], start, end
    )
    independent = None
    if (end - start).days + 1 >= rule.rbc_free_days:
        independent = longest >= rule.rbc_free_days
    since = [item for item in on_treatment if run_to is not None and item.date > run_to]
    return TransfusionIndependenceDecision(
        independent=independent,
        longest_free_days=longest,
        free_from=run_from,
        free_to=run_to,
        rbc_transfusions=tuple(on_treatment),
        resumed=tuple(since) if independent else (),
    )


def _hemoglobin_rise(
    case: Case, kb: KnowledgeBase, pre_hb: float, start: dt.date, end: dt.date
) -> HemoglobinRise:
    """Haemoglobin rise kept for the required duration on every measurement of a run."""
    mds = kb.get(ResponseKnowledge).mds
    rule, duration = mds.erythroid_improvement, mds.erythroid_duration
    values = [
        lab
        for lab in case.series(LabTest.HEMOGLOBIN)
        if start < lab.date <= end and lab.canonical_value is not None
    ]
    if not values:
        return HemoglobinRise(met=None, measured=False)
    target = pre_hb + rule.hb_rise_min_g_dl
    best: tuple[dt.date, dt.date] | None = None
    run_start: dt.date | None = None
    for lab in values:
        value = lab.canonical_value or 0
        if value >= target or math.isclose(value, target):
            run_start = run_start or lab.date
            if best is None or lab.date - run_start > best[1] - best[0]:
                best = (run_start, lab.date)
        else:
            run_start = None
    if best is not None and best[1] - best[0] >= dt.timedelta(weeks=duration.min_weeks):
        return HemoglobinRise(met=True, measured=True, kept_from=best[0], kept_to=best[1])
    if run_start is not None:
        return HemoglobinRise(met=None, measured=True, kept_from=run_start)
    latest = values[-1]
    return HemoglobinRise(
        met=False, measured=True, latest_g_dl=latest.canonical_value or 0, latest_date=latest.date
    )


def _rbc_reduction(pre_units: int, fewest: int | None, kb: KnowledgeBase) -> RbcUnitReduction:
    reduction = kb.get(ResponseKnowledge).mds.erythroid_improvement.rbc_unit_reduction_min
    possible = pre_units >= reduction
    met: bool | None = False
    if possible and fewest is None:
        met = None
    elif possible and fewest is not None:
        met = pre_units - fewest >= reduction
    return RbcUnitReduction(
        met=met, possible=possible, pretreatment_units=pre_units, fewest_units_in_window=fewest
    )


def _erythroid_improvement(
    case: Case, kb: KnowledgeBase, start: dt.date, end: dt.date, pre_units: int, fewest: int | None
) -> ErythroidImprovementDecision:
    rule = kb.get(ResponseKnowledge).mds.erythroid_improvement
    pre_hb_lab = case.latest(LabTest.HEMOGLOBIN, on_or_before=start)
    pre_hb = None if pre_hb_lab is None else pre_hb_lab.canonical_value
    if pre_hb is None:
        return ErythroidImprovementDecision(
            applicability=ErythroidApplicability.NO_PRETREATMENT_HEMOGLOBIN,
            pretreatment_hemoglobin_g_dl=None,
            met=None,
        )
    if pre_hb >= rule.pretreatment_hb_below_g_dl:
        return ErythroidImprovementDecision(
            applicability=ErythroidApplicability.NOT_LOW,
            pretreatment_hemoglobin_g_dl=pre_hb,
            met=None,
        )
    hb_route = _hemoglobin_rise(case, kb, pre_hb, start, end)
    units_route = _rbc_reduction(pre_units, fewest, kb)
    met_by = [
        name
        for name, route in (("hemoglobin_rise", hb_route), ("rbc_reduction", units_route))
        if route.met
    ]
    met: bool | None = None
    if met_by:
        met = True
    elif hb_route.met is False and units_route.met is False:
        met = False
    return ErythroidImprovementDecision(
        applicability=ErythroidApplicability.APPLIES,
        pretreatment_hemoglobin_g_dl=pre_hb,
        met=met,
        met_by=met_by,
        hemoglobin_rise=hb_route,
        rbc_reduction=units_route,
    )


def decide_mds_response(case: Case, kb: KnowledgeBase) -> MdsResponseDecision | None:
    """Transfusion independence and HI-E for a started course; None before the start."""
    course = current_course(case)
    if not course.started or course.start_date is None:
        return None
    mds = kb.get(ResponseKnowledge).mds
    hi_e_rule = mds.erythroid_improvement
    start = course.start_date
    stopped = course.status is CourseStatus.STOPPED and course.stopped_on is not None
    end = course.stopped_on if stopped and course.stopped_on is not None else case.as_of
    window = dt.timedelta(weeks=hi_e_rule.window_weeks)
    independence = _independence(case, mds.transfusion_independence, start, end)

    # the pretreatment transfusions (the IWG counting window)
    before = _rbc(case.transfusions, start - window, start - _ONE_DAY)
    threshold = hi_e_rule.qualifying_pre_transfusion_hb_max_g_dl
    qualifying = [
        item
        for item in before
        if item.pre_transfusion_hemoglobin_g_dl is not None
        and (
            item.pre_transfusion_hemoglobin_g_dl <= threshold
            or math.isclose(item.pre_transfusion_hemoglobin_g_dl, threshold)
        )
    ]
    pre_units = sum(item.units for item in qualifying)
    fewest = fewest_units_in_window(independence.rbc_transfusions, start, end, window)
    erythroid = _erythroid_improvement(case, kb, start, end, pre_units, fewest)
    entries: list[Cited] = [mds.transfusion_independence, hi_e_rule]
    if erythroid.met is not None:
        entries.append(mds.erythroid_duration)
    return MdsResponseDecision(
        treatment_start=start,
        treatment_end=end,
        treatment_days=(end - start).days + 1,
        transfusion_independence=independence,
        pretreatment_window=(start - window, start - _ONE_DAY),
        pretreatment_transfusions=tuple(before),
        pretreatment_hemoglobin_unknown=tuple(
            item for item in before if item.pre_transfusion_hemoglobin_g_dl is None
        ),
        pretreatment_rbc_units=pre_units,
        fewest_rbc_units_in_window=fewest,
        erythroid_improvement=erythroid,
        entries=tuple(entries),
    )


# --- in words -----------------------------------------------------------------------------------


def _independence_words(decision: MdsResponseDecision, kb: KnowledgeBase) -> tuple[str, Finding]:
    """The independence basis line and its finding."""
    mds = kb.get(ResponseKnowledge).mds
    independence, trial = mds.transfusion_independence, mds.mds_003
    start, end, treatment_days = (
        decision.treatment_start,
        decision.treatment_end,
        decision.treatment_days,
    )
    ti = decision.transfusion_independence
    independent, longest = ti.independent, ti.longest_free_days
    run_from, run_to, since = ti.free_from, ti.free_to, ti.resumed
    free_days = format_number(independence.rbc_free_days)
    if independent is None:
        ti_words = (
            f"{format_number(treatment_days)} days on treatment so far: transfusion independence "
            f"needs {free_days} consecutive days without an RBC transfusion"
        )
    else:
        run = f", {run_from} to {run_to}" if run_from is not None else ""
        ti_words = (
            f"longest run without an RBC transfusion on treatment: {format_number(longest)} days"
            f"{run} ({'meets' if independent else 'short of'} the {free_days} days)"
        )
        if since:
            # Independence was reached, but RBC transfusions came back after the run.
            ti_words += (
                f"; RBC transfusions again since {since[0].date} "
                f"({format_number(len(since))} on record up to {end})"
            )
    context = f"{words(trial, 'text')} Treatment from {start} to {end} ({format_number(treatment_days)} days)."
    summary = {
        True: f"RBC transfusion independence reached: {format_number(longest)} consecutive days "
        f"without an RBC transfusion ({run_from} to {run_to}).",
        False: "Not RBC transfusion-independent yet: longest run without an RBC transfusion "
        f"{format_number(longest)} days.",
        None: "Too early to judge RBC transfusion independence.",
    }[independent]
    if since:  # resumed after independence was reached
        summary = (
            f"RBC transfusion independence reached ({run_from} to {run_to}, "
            f"{format_number(longest)} days); RBC transfusions again since {since[0].date}."
        )
    finding = _response_finding(
        independence,
        trial,
        name="mds_transfusion_independence",
        severity=Severity.INFO,
        summary=summary,
        detail=f"{independence.text} {ti_words[0].upper()}{ti_words[1:]}. {context}",
        inputs={
            "treatment_start": start.isoformat(),
            "treatment_end": end.isoformat(),
            "rbc_transfusion_dates": [item.date.isoformat() for item in ti.rbc_transfusions],
        },
    )
    return ti_words, finding


def _pretreatment_findings(decision: MdsResponseDecision, kb: KnowledgeBase) -> list[Finding]:
    """No pretreatment transfusions on record; transfusions without a haemoglobin."""
    mds = kb.get(ResponseKnowledge).mds
    independence, hi_e_rule = mds.transfusion_independence, mds.erythroid_improvement
    window_start, window_end = decision.pretreatment_window
    unknown_hb = decision.pretreatment_hemoglobin_unknown
    threshold = hi_e_rule.qualifying_pre_transfusion_hb_max_g_dl
    weeks = format_number(hi_e_rule.window_weeks)
    findings: list[Finding] = []
    if not decision.pretreatment_transfusions:
        findings.append(
            _response_finding(
                independence,
                hi_e_rule,
                name="mds_no_pretreatment_transfusions",
                severity=Severity.INFO,
                summary=f"No RBC transfusions recorded in the {weeks} weeks before the start.",
                detail=(
                    "Transfusion independence and the transfusion part of HI-E compare with a "
                    "transfusion-dependent baseline. Record the RBC transfusions (date, units, "
                    f"pre-transfusion haemoglobin) from {window_start} to {window_end}, "
                    "or confirm there were none."
                ),
                inputs={"window_start": window_start.isoformat()},
            )
        )
    if unknown_hb:
        findings.append(
            _response_finding(
                hi_e_rule,
                name="mds_pre_transfusion_hemoglobin_missing",
                severity=Severity.INFO,
                summary=(
                    f"Pre-transfusion haemoglobin missing for {format_number(len(unknown_hb))} "
                    "pretreatment RBC transfusion(s)."
                ),
                detail=(
                    f"HI-E counts only transfusions given for a haemoglobin of "
                    f"{format_number(threshold)} g/dL or less; transfusions without a recorded "
                    "pre-transfusion haemoglobin were left out of the pretreatment count. Add "
                    "pre_transfusion_hemoglobin_g_dl to: "
                    + ", ".join(item.date.isoformat() for item in unknown_hb)
                    + "."
                ),
                inputs={"dates": [item.date.isoformat() for item in unknown_hb]},
            )
        )
    return findings


def _hemoglobin_rise_words(route: HemoglobinRise, kb: KnowledgeBase) -> str:
    mds = kb.get(ResponseKnowledge).mds
    rise = format_number(mds.erythroid_improvement.hb_rise_min_g_dl)
    weeks = format_number(mds.erythroid_duration.min_weeks)
    if not route.measured:
        return "no haemoglobin result on treatment"
    if route.met:
        return (
            f"haemoglobin at least {rise} g/dL above the pretreatment value from "
            f"{route.kept_from} to {route.kept_to} (at least {weeks} weeks)"
        )
    if route.met is None:
        return (
            f"haemoglobin at least {rise} g/dL above the pretreatment value since "
            f"{route.kept_from}; not yet kept for {weeks} weeks"
        )
    return (
        f"latest haemoglobin {format_number(route.latest_g_dl or 0)} g/dL ({route.latest_date}) "
        f"is less than {rise} g/dL above the pretreatment value"
    )


def _rbc_reduction_words(route: RbcUnitReduction, kb: KnowledgeBase) -> str:
    rule = kb.get(ResponseKnowledge).mds.erythroid_improvement
    weeks = format_number(rule.window_weeks)
    reduction = format_number(rule.rbc_unit_reduction_min)
    pre_units, fewest = route.pretreatment_units, route.fewest_units_in_window
    if not route.possible:
        return (
            f"{format_number(pre_units)} qualifying RBC units in the {weeks} weeks before the "
            f"start: a reduction of {reduction} units is not possible"
        )
    if fewest is None:
        return f"fewer than {weeks} weeks on treatment: no full window yet"
    if route.met:
        return (
            f"{format_number(fewest)} RBC units in the best {weeks}-week window on treatment vs "
            f"{format_number(pre_units)} qualifying units in the {weeks} weeks before "
            f"(at least {reduction} fewer)"
        )
    return (
        f"{format_number(fewest)} RBC units in the best {weeks}-week window on treatment vs "
        f"{format_number(pre_units)} qualifying units before: fewer than {reduction} fewer"
    )


def _erythroid_words(decision: MdsResponseDecision, kb: KnowledgeBase) -> tuple[str, list[Finding]]:
    """The HI-E basis line and its finding (or the finding that asks for the baseline)."""
    mds = kb.get(ResponseKnowledge).mds
    hi_e_rule, duration = mds.erythroid_improvement, mds.erythroid_duration
    erythroid = decision.erythroid_improvement
    pre_hb = erythroid.pretreatment_hemoglobin_g_dl
    below = format_number(hi_e_rule.pretreatment_hb_below_g_dl)
    start = decision.treatment_start
    if erythroid.applicability is ErythroidApplicability.NO_PRETREATMENT_HEMOGLOBIN:
        finding = _response_finding(
            hi_e_rule,
            name="mds_pretreatment_hemoglobin_missing",
            severity=Severity.INFO,
            summary="Pretreatment haemoglobin needed to judge erythroid improvement (HI-E).",
            detail=(
                f"HI-E applies when the haemoglobin before treatment is below {below} g/dL "
                f"and measures the rise from it. Add the last haemoglobin on or before {start}."
            ),
            inputs={"course_start": start.isoformat()},
        )
        return "no haemoglobin on or before the start: HI-E needs the pretreatment value", [finding]
    assert pre_hb is not None  # known whenever HI-E was judged
    if erythroid.applicability is ErythroidApplicability.NOT_LOW:
        return (
            f"pretreatment haemoglobin {format_number(pre_hb)} g/dL is not below {below} g/dL: "
            "HI-E does not apply"
        ), []
    assert erythroid.hemoglobin_rise is not None and erythroid.rbc_reduction is not None
    hi_e_words = (
        f"{_hemoglobin_rise_words(erythroid.hemoglobin_rise, kb)}; "
        f"{_rbc_reduction_words(erythroid.rbc_reduction, kb)}"
    )
    state = {True: "met", False: "not met", None: "not decided yet"}[erythroid.met]
    finding = _response_finding(
        hi_e_rule,
        duration,
        name="mds_erythroid_improvement",
        severity=Severity.INFO,
        summary=f"Erythroid improvement (IWG HI-E) {state}.",
        detail=(
            f"{hi_e_rule.text} {duration.text} Pretreatment haemoglobin "
            f"{format_number(pre_hb)} g/dL. {hi_e_words[0].upper()}{hi_e_words[1:]}."
        ),
        inputs={
            "pretreatment_hemoglobin_g_dl": pre_hb,
            "pretreatment_rbc_units": decision.pretreatment_rbc_units,
            "fewest_rbc_units_in_window": decision.fewest_rbc_units_in_window,
        },
    )
    return hi_e_words, [finding]


def _mds_response(
    decision: MdsResponseDecision, kb: KnowledgeBase
) -> tuple[MdsResponse, list[Finding]]:
    """The decision as the assessment's MDS result, with its findings."""
    ti_words, ti_finding = _independence_words(decision, kb)
    hi_e_words, hi_e_findings = _erythroid_words(decision, kb)
    findings = [ti_finding, *_pretreatment_findings(decision, kb), *hi_e_findings]
    ti, erythroid = decision.transfusion_independence, decision.erythroid_improvement
    result = MdsResponse(
        treatment_start=decision.treatment_start,
        treatment_end=decision.treatment_end,
        treatment_days=decision.treatment_days,
        transfusion_independent=ti.independent,
        longest_transfusion_free_days=ti.longest_free_days,
        rbc_units_on_treatment=sum(item.units for item in ti.rbc_transfusions),
        pretreatment_hemoglobin_g_dl=erythroid.pretreatment_hemoglobin_g_dl,
        pretreatment_rbc_units=decision.pretreatment_rbc_units,
        fewest_rbc_units_in_window=decision.fewest_rbc_units_in_window,
        hi_e=erythroid.met,
        hi_e_by=erythroid.met_by,
        basis=[ti_words, hi_e_words],
        status=weakest(entry.status for entry in decision.entries),
        citations=merge_citations(*decision.entries),
    )
    return result, findings


def assess_mds_response(case: Case, kb: KnowledgeBase) -> tuple[MdsResponse | None, list[Finding]]:
    """Transfusion independence and HI-E for a started course; (None, []) before the start."""
    decision = decide_mds_response(case, kb)
    if decision is None:
        return None, []
    return _mds_response(decision, kb)
