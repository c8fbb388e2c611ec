"""MDS with del(5q): red-cell transfusion independence and erythroid improvement (IWG HI-E).

Transfusion independence is the endpoint of the pivotal lenalidomide MDS trial: a run of
consecutive days on treatment without any RBC transfusion. Erythroid haematological improvement (HI-E) follows the IWG
criteria: a haemoglobin rise, or fewer RBC units in a window on treatment than in the same
window before it, for patients whose pretreatment haemoglobin was low enough. Treatment runs
from the start of the current course to the stop date (or the assessment date); holds count as
treatment. All day counts are calendar days, both ends included.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from pydantic import Field

from lenaguard.case import Case, Transfusion
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.topics.response import ResponseKnowledge
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
class _Route:
    """One way of meeting HI-E: met (True/False) or undecided (None), with its explanation."""

    met: bool | None
    basis: str


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
    transfusions: list[Transfusion], start: dt.date, end: dt.date, window: dt.timedelta
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


def _hb_route(case: Case, kb: KnowledgeBase, pre_hb: float, start: dt.date, end: dt.date) -> _Route:
    """Haemoglobin rise kept for the required duration on every measurement of a run."""
    mds = kb.get(ResponseKnowledge).mds
    rule, duration = mds.erythroid_improvement, mds.erythroid_duration
    needed = dt.timedelta(weeks=duration.min_weeks)
    values = [
        lab
        for lab in case.series(LabTest.HEMOGLOBIN)
        if start < lab.date <= end and lab.canonical_value is not None
    ]
    if not values:
        return _Route(None, "no haemoglobin result on treatment")
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
    rise = format_number(rule.hb_rise_min_g_dl)
    weeks = format_number(duration.min_weeks)
    if best is not None and best[1] - best[0] >= needed:
        return _Route(
            True,
            f"haemoglobin at least {rise} g/dL above the pretreatment value from {best[0]} to "
            f"{best[1]} (at least {weeks} weeks)",
        )
    if run_start is not None:
        return _Route(
            None,
            f"haemoglobin at least {rise} g/dL above the pretreatment value since {run_start}; "
            f"not yet kept for {weeks} weeks",
        )
    latest = values[-1]
    return _Route(
        False,
        f"latest haemoglobin {format_number(latest.canonical_value or 0)} g/dL ({latest.date}) is "
        f"less than {rise} g/dL above the pretreatment value",
    )


def _units_route(pre_units: int, fewest: int | None, kb: KnowledgeBase) -> _Route:
    rule = kb.get(ResponseKnowledge).mds.erythroid_improvement
    weeks = format_number(rule.window_weeks)
    reduction = format_number(rule.rbc_unit_reduction_min)
    if pre_units < rule.rbc_unit_reduction_min:
        return _Route(
            False,
            f"{format_number(pre_units)} qualifying RBC units in the {weeks} weeks before the "
            f"start: a reduction of {reduction} units is not possible",
        )
    if fewest is None:
        return _Route(None, f"fewer than {weeks} weeks on treatment: no full window yet")
    if pre_units - fewest >= rule.rbc_unit_reduction_min:
        return _Route(
            True,
            f"{format_number(fewest)} RBC units in the best {weeks}-week window on treatment vs "
            f"{format_number(pre_units)} qualifying units in the {weeks} weeks before "
            f"(at least {reduction} fewer)",
        )
    return _Route(
        False,
        f"{format_number(fewest)} RBC units in the best {weeks}-week window on treatment vs "
        f"{format_number(pre_units)} qualifying units before: fewer than {reduction} fewer",
    )


def assess_mds_response(case: Case, kb: KnowledgeBase) -> tuple[MdsResponse | None, list[Finding]]:
    """Transfusion independence and HI-E for a started course; (None, []) before the start."""
    course = current_course(case)
    if not course.started or course.start_date is None:
        return None, []
    mds = kb.get(ResponseKnowledge).mds
    independence, hi_e_rule = mds.transfusion_independence, mds.erythroid_improvement
    duration, trial = mds.erythroid_duration, mds.mds_003
    start = course.start_date
    stopped = course.status is CourseStatus.STOPPED and course.stopped_on is not None
    end = course.stopped_on if stopped and course.stopped_on is not None else case.as_of
    treatment_days = (end - start).days + 1
    window = dt.timedelta(weeks=hi_e_rule.window_weeks)
    findings: list[Finding] = []
    basis: list[str] = []

    # --- transfusion independence ---
    on_treatment = _rbc(case.transfusions, start, end)
    longest, run_from, run_to = longest_transfusion_free_run(
        [item.date for item in on_treatment], start, end
    )
    free_days = format_number(independence.rbc_free_days)
    since = [item for item in on_treatment if run_to is not None and item.date > run_to]
    if treatment_days < independence.rbc_free_days:
        independent: bool | None = None
        ti_words = (
            f"{format_number(treatment_days)} days on treatment so far: transfusion independence "
            f"needs {free_days} consecutive days without an RBC transfusion"
        )
    else:
        independent = longest >= independence.rbc_free_days
        run = f", {run_from} to {run_to}" if run_from is not None else ""
        ti_words = (
            f"longest run without an RBC transfusion on treatment: {format_number(longest)} days"
            f"{run} ({'meets' if independent else 'short of'} the {free_days} days)"
        )
        if independent and since:
            # Independence was reached, but RBC transfusions came back after the run.
            ti_words += (
                f"; RBC transfusions again since {since[0].date} "
                f"({format_number(len(since))} on record up to {end})"
            )
    basis.append(ti_words)
    context = (
        f"{trial.text} Treatment from {start} to {end} ({format_number(treatment_days)} days)."
    )
    summary = {
        True: f"RBC transfusion independence reached: {format_number(longest)} consecutive days "
        f"without an RBC transfusion ({run_from} to {run_to}).",
        False: "Not RBC transfusion-independent yet: longest run without an RBC transfusion "
        f"{format_number(longest)} days.",
        None: "Too early to judge RBC transfusion independence.",
    }[independent]
    if independent and since:
        summary = summary[:-1] + f"; RBC transfusions again since {since[0].date}."
    findings.append(
        _response_finding(
            independence,
            trial,
            name="mds_transfusion_independence",
            severity=Severity.INFO,
            summary=summary,
            detail=f"{independence.text} {ti_words[0].upper()}{ti_words[1:]}. {context}",
            inputs={
                "treatment_start": start.isoformat(),
                "treatment_end": end.isoformat(),
                "rbc_transfusion_dates": [item.date.isoformat() for item in on_treatment],
            },
        )
    )

    # --- pretreatment transfusions (the IWG counting window) ---
    before = _rbc(case.transfusions, start - window, start - _ONE_DAY)
    threshold = hi_e_rule.qualifying_pre_transfusion_hb_max_g_dl
    unknown_hb = [item for item in before if item.pre_transfusion_hemoglobin_g_dl is None]
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
    weeks = format_number(hi_e_rule.window_weeks)
    if not before:
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
                    f"pre-transfusion haemoglobin) from {start - window} to {start - _ONE_DAY}, "
                    "or confirm there were none."
                ),
                inputs={"window_start": (start - window).isoformat()},
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

    # --- HI-E ---
    pre_hb_lab = case.latest(LabTest.HEMOGLOBIN, on_or_before=start)
    pre_hb = None if pre_hb_lab is None else pre_hb_lab.canonical_value
    fewest = fewest_units_in_window(on_treatment, start, end, window)
    hi_e: bool | None = None
    hi_e_by: list[str] = []
    below = format_number(hi_e_rule.pretreatment_hb_below_g_dl)
    if pre_hb is None:
        hi_e_words = "no haemoglobin on or before the start: HI-E needs the pretreatment value"
        findings.append(
            _response_finding(
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
        )
    elif pre_hb >= hi_e_rule.pretreatment_hb_below_g_dl:
        hi_e_words = (
            f"pretreatment haemoglobin {format_number(pre_hb)} g/dL is not below {below} g/dL: "
            "HI-E does not apply"
        )
    else:
        hb_route = _hb_route(case, kb, pre_hb, start, end)
        units_route = _units_route(pre_units, fewest, kb)
        hi_e_by = [
            name
            for name, route in (("hemoglobin_rise", hb_route), ("rbc_reduction", units_route))
            if route.met
        ]
        if hi_e_by:
            hi_e = True
        elif hb_route.met is False and units_route.met is False:
            hi_e = False
        hi_e_words = f"{hb_route.basis}; {units_route.basis}"
        state = {True: "met", False: "not met", None: "not decided yet"}[hi_e]
        findings.append(
            _response_finding(
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
                    "pretreatment_rbc_units": pre_units,
                    "fewest_rbc_units_in_window": fewest,
                },
            )
        )
    basis.append(hi_e_words)

    entries: list[Cited] = [independence, hi_e_rule]
    if hi_e is not None:
        entries.append(duration)
    return (
        MdsResponse(
            treatment_start=start,
            treatment_end=end,
            treatment_days=treatment_days,
            transfusion_independent=independent,
            longest_transfusion_free_days=longest,
            rbc_units_on_treatment=sum(item.units for item in on_treatment),
            pretreatment_hemoglobin_g_dl=pre_hb,
            pretreatment_rbc_units=pre_units,
            fewest_rbc_units_in_window=fewest,
            hi_e=hi_e,
            hi_e_by=hi_e_by,
            basis=basis,
            status=weakest(entry.status for entry in entries),
            citations=merge_citations(*entries),
        ),
        findings,
    )
