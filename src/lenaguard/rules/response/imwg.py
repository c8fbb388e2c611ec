"""Is it working? IMWG myeloma response, immune recovery and MDS erythroid response.

`evaluate(case, kb)` is the topic's entry point. For myeloma it assesses the IMWG response
category (Kumar et al., Lancet Oncology) of the current course and the recovery of the uninvolved
immunoglobulins; for MDS with del(5q) it assesses transfusion independence and HI-E.

How the IMWG assessment reads a case:

- Baseline is the last result on or before the start of the current course (a result drawn
  on the first day counts as baseline); assessments are results after it, up to `as_of`.
- Measurable disease at baseline decides which markers carry the response: serum and/or urine
  M-protein; otherwise the free light chain difference (dFLC); otherwise marrow plasma cells.
  Each measurable M-protein component must meet its part of a category; the overall category
  is the lowest of them. A missing piece of data never counts as met: the category stays
  below it and a finding names what is needed.
- Progression is judged against the lowest confirmed value: the baseline, or a level seen on
  two consecutive assessments (the higher of the pair). It needs consecutive qualifying
  assessments; a single qualifying rise is reported as possible progression to confirm.
- Stringent CR needs marrow clonality, which the case file does not carry: lenaguard stops at
  CR and says so.

Modules: `imwg_markers` reads the case into markers, baseline and response path;
`imwg_progression` finds progression; `polyclonal` explains a total IgA/IgG rise; this module
grades the response categories, confirms them and assembles the result and findings.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import Field

from lenaguard.case import Case, DiseaseImaging
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.topics.response import (
    ImwgCriteria,
    ResponseKnowledge,
    percent_fall,
)
from lenaguard.rules.base.course import current_course
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.rules.response.immunoglobulins import (
    ImmunoglobulinRecovery,
    assess_immunoglobulin_recovery,
)
from lenaguard.rules.response.imwg_markers import (
    Disease,
    Marker,
    Need,
    Point,
    ResponsePath,
    above,
    at_least,
    below,
    flc_pairs,
    flc_ratio,
    imaging_of,
    latest_after,
    latest_result,
    points_after,
    read_disease,
    unit_of,
    value_words,
)
from lenaguard.rules.response.imwg_progression import find_progression
from lenaguard.rules.response.mds import MdsResponse, assess_mds_response
from lenaguard.rules.response.polyclonal import polyclonal_findings
from lenaguard.text import format_number
from lenaguard.vocab import (
    Category,
    Indication,
    LabTest,
    LightChain,
    QualitativeResult,
    Severity,
)

_response_finding = Finding.maker(Category.RESPONSE)


MYELOMA_INDICATIONS = frozenset({Indication.MM_COMBINATION, Indication.MM_MAINTENANCE})
_ONE_DAY = dt.timedelta(days=1)


class ImwgCategory(StrEnum):
    """IMWG response categories, as clinicians abbreviate them."""

    SCR = "sCR"
    CR = "CR"
    VGPR = "VGPR"
    PR = "PR"
    MR = "MR"
    SD = "SD"
    PD = "PD"

    @property
    def words(self) -> str:
        return _CATEGORY_WORDS[self]


_CATEGORY_WORDS = {
    ImwgCategory.SCR: "stringent complete response",
    ImwgCategory.CR: "complete response",
    ImwgCategory.VGPR: "very good partial response",
    ImwgCategory.PR: "partial response",
    ImwgCategory.MR: "minimal response",
    ImwgCategory.SD: "stable disease",
    ImwgCategory.PD: "progressive disease",
}

# Worst first: a category ranks above every category before it.
_ORDER = (
    ImwgCategory.PD,
    ImwgCategory.SD,
    ImwgCategory.MR,
    ImwgCategory.PR,
    ImwgCategory.VGPR,
    ImwgCategory.CR,
    ImwgCategory.SCR,
)


def _rank(category: ImwgCategory) -> int:
    return _ORDER.index(category)


def _lowest(categories: list[ImwgCategory]) -> ImwgCategory:
    return min(categories, key=_rank)


class MarkerValue(Frozen):
    value: float
    unit: str
    date: dt.date


class ImwgResponse(Frozen):
    """The IMWG response category of the current course, with what decided it."""

    category: ImwgCategory | None = Field(description="Null when not assessable (see findings).")
    date: dt.date | None = Field(
        description="Date of the latest result the category rests on (PD: the confirming one)."
    )
    confirmed: bool | None = Field(
        default=None, description="Shown on consecutive assessments; null for SD or no category."
    )
    path: ResponsePath | None = None
    involved_light_chain: LightChain | None = None
    measurable: list[Marker] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list, description="The values that decided.")
    baseline: dict[Marker, MarkerValue] = Field(default_factory=dict)
    nadir: dict[Marker, MarkerValue] = Field(
        default_factory=dict, description="Lowest confirmed value per marker (progression)."
    )
    needed: list[str] = Field(default_factory=list, description="Data needed for a category.")
    status: Status
    citations: list[Citation] = Field(min_length=1)


class ResponseOutcome(RuleOutcome):
    """What `evaluate` returns: findings plus the IMWG, immunoglobulin and MDS results."""

    imwg: ImwgResponse | None = None
    immunoglobulins: list[ImmunoglobulinRecovery] = Field(default_factory=list)
    mds: MdsResponse | None = None


# --- one assessment date ---------------------------------------------------------------------


@dataclass
class _Snapshot:
    """The category as of one date, and what it rested on."""

    category: ImwgCategory | None
    basis: list[str] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    entries: list[Cited] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)


# --- response categories ---------------------------------------------------------------------


def _category_entry(imwg: ImwgCriteria, category: ImwgCategory) -> Cited:
    return {
        ImwgCategory.SCR: imwg.stringent_complete,
        ImwgCategory.CR: imwg.complete,
        ImwgCategory.VGPR: imwg.very_good_partial,
        ImwgCategory.PR: imwg.partial,
        ImwgCategory.MR: imwg.minimal,
        ImwgCategory.SD: imwg.stable,
        ImwgCategory.PD: imwg.progressive,
    }[category]


def _serum_level(imwg: ImwgCriteria, fall: float) -> ImwgCategory:
    if at_least(fall, imwg.very_good_partial.serum_fall_min_pct):
        return ImwgCategory.VGPR
    if at_least(fall, imwg.partial.serum_fall_min_pct):
        return ImwgCategory.PR
    if at_least(fall, imwg.minimal.serum_fall_min_pct):
        return ImwgCategory.MR
    return ImwgCategory.SD


def _urine_level(imwg: ImwgCriteria, fall: float, value: float) -> ImwgCategory:
    if below(value, imwg.very_good_partial.urine_below_mg_24h):
        return ImwgCategory.VGPR
    if at_least(fall, imwg.partial.urine_fall_min_pct) or below(
        value, imwg.partial.urine_below_mg_24h
    ):
        return ImwgCategory.PR
    if at_least(fall, imwg.minimal.urine_fall_min_pct):
        return ImwgCategory.MR
    return ImwgCategory.SD


def _dflc_level(imwg: ImwgCriteria, fall: float) -> ImwgCategory:
    if above(fall, imwg.very_good_partial.dflc_fall_above_pct):
        return ImwgCategory.VGPR
    if at_least(fall, imwg.partial.dflc_fall_min_pct):
        return ImwgCategory.PR
    return ImwgCategory.SD


def _marrow_level(imwg: ImwgCriteria, fall: float) -> ImwgCategory:
    return ImwgCategory.PR if at_least(fall, imwg.partial.marrow_fall_min_pct) else ImwgCategory.SD


def _marker_levels(
    disease: Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> ImwgCategory | None:
    """The lowest level the path's markers reach on `on`; None when one has no value yet."""
    imwg = kb.get(ResponseKnowledge).imwg
    levels: list[ImwgCategory] = []
    missing = False
    for marker in disease.applied:
        current = latest_after(disease.series.get(marker, []), disease.start, on)
        base = disease.baseline[marker]
        if current is None:
            snap.needs.append(
                Need(
                    f"{marker.value}_after_start",
                    f"{marker.words} after the course start ({disease.start}): it was measurable "
                    "at baseline, so every response category needs it",
                    (imwg.partial,),
                )
            )
            missing = True
            continue
        fall = percent_fall(base.value, current.value) or 0
        if marker is Marker.SERUM_M_PROTEIN:
            level = _serum_level(imwg, fall)
        elif marker is Marker.URINE_M_PROTEIN:
            level = _urine_level(imwg, fall, current.value)
        elif marker is Marker.DFLC:
            level = _dflc_level(imwg, fall)
        else:
            level = _marrow_level(imwg, fall)
        change = "a rise" if fall < 0 else "a fall"
        snap.basis.append(
            f"{marker.words} {value_words(kb, marker, base)} → "
            f"{value_words(kb, marker, current)}: {change} of "
            f"{format_number(round(abs(fall), 1))}% ({level.value} level)"
        )
        snap.dates.append(current.date)
        levels.append(level)
    if missing or not levels:
        return None
    return _lowest(levels)


def _vgpr_component_met(imwg: ImwgCriteria, marker: Marker, base: Point, latest: Point) -> bool:
    """The VGPR condition on one M-protein component, as its latest value stands."""
    if marker is Marker.URINE_M_PROTEIN:
        return below(latest.value, imwg.very_good_partial.urine_below_mg_24h)
    if latest.value == 0:  # no longer seen on electrophoresis
        return True
    fall = percent_fall(base.value, latest.value)
    return fall is not None and at_least(fall, imwg.very_good_partial.serum_fall_min_pct)


def _vgpr_condition_words(imwg: ImwgCriteria, marker: Marker, kb: KnowledgeBase) -> str:
    if marker is Marker.URINE_M_PROTEIN:
        limit = format_number(imwg.very_good_partial.urine_below_mg_24h)
        return f"below {limit} {unit_of(kb, marker)}"
    fall = format_number(imwg.very_good_partial.serum_fall_min_pct)
    return f"down by {fall}% or more, or no longer seen on electrophoresis"


def _vgpr_other_component_gate(
    disease: Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> bool:
    """VGPR needs both serum and urine M-protein studies, measurable at baseline or not.

    A component that was not measurable at baseline is not a response marker, but the VGPR
    definition still asks for its serum or urine part (serum down by the VGPR fall, urine below
    the VGPR limit). The latest value up to `on` is used; when that is the baseline value, the
    basis says so. False caps the category at PR.
    """
    imwg = kb.get(ResponseKnowledge).imwg
    for marker in (Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN):
        base = disease.baseline.get(marker)
        if marker in disease.applied or base is None:
            continue
        points = [point for point in disease.series[marker] if point.date <= on]
        latest = points[-1]
        condition = _vgpr_condition_words(imwg, marker, kb)
        shown = value_words(kb, marker, latest)
        before_start = latest.date <= disease.start
        when = " (the baseline value: no result after the course start)" if before_start else ""
        if _vgpr_component_met(imwg, marker, base, latest):
            snap.basis.append(f"{marker.words} {shown}{when}: {condition}, as VGPR requires")
            snap.dates.append(latest.date)
            continue
        if before_start:
            snap.needs.append(
                Need(
                    f"{marker.value}_for_vgpr",
                    f"{marker.words} after the course start: not measurable at baseline "
                    f"({shown}), but VGPR needs it {condition}",
                    (imwg.very_good_partial,),
                )
            )
        snap.basis.append(f"{marker.words} {shown}{when}: not {condition}, so not VGPR (PR level)")
        return False
    return True


def _measured_imaging(case: Case, first: dt.date | None, last: dt.date) -> DiseaseImaging | None:
    """Latest imaging with a plasmacytoma size, dated after `first` (if given) and up to `last`."""
    found = [
        item
        for item in imaging_of(case)
        if item.plasmacytoma_spd_cm2 is not None
        and item.date <= last
        and (first is None or item.date > first)
    ]
    return found[-1] if found else None


def _baseline_spd(case: Case, start: dt.date) -> DiseaseImaging | None:
    found = _measured_imaging(case, None, start)
    return found if found is not None and (found.plasmacytoma_spd_cm2 or 0) > 0 else None


def _plasmacytoma_gate(
    case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> bool:
    """PR and better need baseline plasmacytomas shrunk enough; False caps the category at MR."""
    imwg = kb.get(ResponseKnowledge).imwg
    base = _baseline_spd(case, disease.start)
    if base is None:
        return True
    shrink_min = format_number(imwg.partial.plasmacytoma_shrink_min_pct)
    base_spd = base.plasmacytoma_spd_cm2 or 0
    latest = _measured_imaging(case, disease.start, on)
    if latest is None:
        snap.needs.append(
            Need(
                "imaging_after_start",
                f"imaging after the course start: plasmacytomas at baseline "
                f"({format_number(base_spd)} cm², {base.date}) must shrink by at least "
                f"{shrink_min}% for PR or better",
                (imwg.partial,),
            )
        )
        return False
    shrink = percent_fall(base_spd, latest.plasmacytoma_spd_cm2 or 0) or 0
    passed = at_least(shrink, imwg.partial.plasmacytoma_shrink_min_pct)
    snap.basis.append(
        f"plasmacytoma size {format_number(base_spd)} cm² ({base.date}) → "
        f"{format_number(latest.plasmacytoma_spd_cm2 or 0)} cm² ({latest.date}): "
        f"{format_number(round(shrink, 1))}% smaller "
        f"({'meets' if passed else 'short of'} the {shrink_min}% PR requirement)"
    )
    snap.dates.append(latest.date)
    return passed


def _complete_response(
    case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> bool:
    """CR: both immunofixations negative, marrow below the limit, no plasmacytoma left."""
    imwg = kb.get(ResponseKnowledge).imwg
    rule = imwg.complete
    met = True
    for test, words in (
        (LabTest.SERUM_IFE, "serum immunofixation"),
        (LabTest.URINE_IFE, "urine immunofixation"),
    ):
        result = latest_result(case, test, disease.start, on)
        if result is None:
            snap.needs.append(
                Need(f"{test.value}_for_cr", f"{words} after the course start (for CR)", (rule,))
            )
            met = False
        elif result.result is not QualitativeResult.NEGATIVE:
            snap.basis.append(f"{words} positive ({result.date}): not CR")
            met = False
        else:
            snap.basis.append(f"{words} negative ({result.date})")
            snap.dates.append(result.date)
    limit = format_number(rule.marrow_plasma_cells_below_pct)
    marrow = latest_after(disease.series[Marker.MARROW_PLASMA_CELLS], disease.start, on)
    if marrow is None:
        snap.needs.append(
            Need(
                "marrow_for_cr",
                f"marrow plasma cell percentage after the course start (CR needs below {limit}%)",
                (rule,),
            )
        )
        met = False
    elif below(marrow.value, rule.marrow_plasma_cells_below_pct):
        snap.basis.append(f"marrow plasma cells {format_number(marrow.value)}% ({marrow.date})")
        snap.dates.append(marrow.date)
    else:
        snap.basis.append(
            f"marrow plasma cells {format_number(marrow.value)}% ({marrow.date}): not below "
            f"{limit}%, not CR"
        )
        met = False
    latest = _measured_imaging(case, disease.start, on)
    if latest is not None and (latest.plasmacytoma_spd_cm2 or 0) > 0:
        snap.basis.append(f"plasmacytoma still seen on imaging ({latest.date}): not CR")
        met = False
    elif latest is not None:
        snap.basis.append(f"no soft-tissue plasmacytoma on imaging ({latest.date})")
    elif _baseline_spd(case, disease.start) is not None:
        snap.needs.append(
            Need(
                "imaging_for_cr",
                "imaging after the course start showing the baseline plasmacytomas gone (for CR)",
                (rule,),
            )
        )
        met = False
    else:
        snap.basis.append(
            "no imaging recorded: no soft-tissue plasmacytoma known (CR assumes none)"
        )
    return met


def _snapshot(case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date) -> _Snapshot:
    """The response category (not PD) as of `on`."""
    imwg = kb.get(ResponseKnowledge).imwg
    snap = _Snapshot(category=None, entries=[imwg.measurable_disease])
    if disease.path is not ResponsePath.M_PROTEIN and disease.path is not None:
        snap.entries.append(imwg.flc_ratio_normal)
    if disease.path is ResponsePath.M_PROTEIN:
        for marker in (Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN):
            base = disease.baseline.get(marker)
            if base is not None and marker not in disease.applied:
                condition = _vgpr_condition_words(imwg, marker, kb)
                snap.basis.append(
                    f"{marker.words} {value_words(kb, marker, base)} at baseline: not "
                    f"measurable, so not a response marker (VGPR still needs it {condition})"
                )
    level = _marker_levels(disease, kb, on, snap)
    if level is None:
        return snap
    if (
        disease.path is ResponsePath.M_PROTEIN
        and _rank(level) >= _rank(ImwgCategory.VGPR)
        and not _vgpr_other_component_gate(disease, kb, on, snap)
    ):
        level = ImwgCategory.PR
    if _rank(level) >= _rank(ImwgCategory.PR) and not _plasmacytoma_gate(
        case, disease, kb, on, snap
    ):
        level = _lowest([level, ImwgCategory.MR])
    highest_below_cr = ImwgCategory.PR if disease.path is ResponsePath.MARROW else ImwgCategory.VGPR
    if level is highest_below_cr and _complete_response(case, disease, kb, on, snap):
        level = ImwgCategory.CR
    snap.category = level
    snap.entries.append(_category_entry(imwg, level))
    return snap


# --- assembling the IMWG result --------------------------------------------------------------


def _need_findings(needs: list[Need]) -> list[Finding]:
    seen: dict[str, Need] = {}
    for need in needs:
        seen.setdefault(need.slug, need)
    return [
        _response_finding(
            *need.entries,
            name=f"imwg_needed_{need.slug}",
            severity=Severity.INFO,
            summary=f"For IMWG response assessment: {need.text.split(':')[0]} needed.",
            detail=f"Needed: {need.text}.",
            inputs={},
        )
        for need in seen.values()
    ]


def _confirmation(case: Case, disease: Disease, kb: KnowledgeBase, current: ImwgCategory) -> bool:
    """True when the earlier consecutive assessments show the same category or better."""
    needed = kb.get(ResponseKnowledge).imwg.confirmation.consecutive_assessments
    primary = points_after(disease.series.get(disease.applied[0], []), disease.start, disease.as_of)
    if len(primary) < needed:
        return False
    for back in range(1, needed):
        earlier = _snapshot(case, disease, kb, primary[-back].date - _ONE_DAY)
        if earlier.category is None or _rank(earlier.category) < _rank(current):
            return False
    return True


def _marker_values(kb: KnowledgeBase, points: dict[Marker, Point]) -> dict[Marker, MarkerValue]:
    return {
        marker: MarkerValue(value=point.value, unit=unit_of(kb, marker), date=point.date)
        for marker, point in points.items()
    }


def _possible_progression_finding(imwg: ImwgCriteria, possible: list[str]) -> Finding:
    count = format_number(imwg.progressive.consecutive_assessments)
    return _response_finding(
        imwg.progressive,
        name="imwg_possible_progression",
        severity=Severity.WARNING,
        summary="Possible progression (IMWG): confirm with a repeat assessment.",
        detail=(
            "; ".join(possible)
            + f". IMWG progression needs {count} consecutive qualifying assessments, so this is "
            f"not yet progressive disease. Repeat the tests to confirm or refute. "
            f"{imwg.progressive.text}"
        ),
        inputs={},
    )


def assess_imwg(case: Case, kb: KnowledgeBase) -> tuple[ImwgResponse | None, list[Finding]]:
    """The IMWG response of the current course; (None, []) before the first start."""
    course = current_course(case)
    if not course.started or course.start_date is None:
        return None, []
    imwg = kb.get(ResponseKnowledge).imwg
    disease = read_disease(case, kb, course.start_date)
    findings: list[Finding] = []
    if disease.involved_inferred and disease.involved is not None:
        findings.append(
            _response_finding(
                imwg.involved_light_chain,
                imwg.flc_ratio_normal,
                name="imwg_light_chain_inferred",
                severity=Severity.INFO,
                summary=(
                    f"Involved light chain taken as {disease.involved.value} from the baseline "
                    "kappa/lambda ratio."
                ),
                detail=(
                    f"{imwg.involved_light_chain.text} Give myeloma.light_chain to state it. "
                    f"{imwg.flc_ratio_normal.text}"
                ),
                inputs={"baseline_ratio": disease.baseline_ratio},
            )
        )
    progression = find_progression(case, disease, kb)
    findings += polyclonal_findings(case, disease, kb, progression)
    common = {
        "path": disease.path,
        "involved_light_chain": disease.involved,
        "measurable": list(disease.measurable),
        "baseline": _marker_values(kb, disease.baseline),
        "nadir": _marker_values(kb, progression.nadirs),
    }

    if progression.confirmed_on is not None:
        entries: list[Cited] = [imwg.progressive]
        result = ImwgResponse(
            category=ImwgCategory.PD,
            date=progression.confirmed_on,
            confirmed=True,
            basis=progression.basis,
            status=weakest(e.status for e in entries),
            citations=merge_citations(*entries),
            **common,
        )
        findings.append(
            _response_finding(
                *entries,
                name="imwg_progression",
                severity=Severity.WARNING,
                summary=f"IMWG progressive disease, confirmed {progression.confirmed_on}.",
                detail=f"{'; '.join(progression.basis)}. {imwg.progressive.text}",
                inputs={"confirmed_on": progression.confirmed_on.isoformat()},
            )
        )
        return result, findings

    if progression.possible:
        findings.append(_possible_progression_finding(imwg, progression.possible))

    if disease.path is None:
        needs = list(disease.baseline_needs)
        findings += _need_findings(needs)
        if not needs:
            findings.append(
                _response_finding(
                    imwg.measurable_disease,
                    name="imwg_not_measurable",
                    severity=Severity.INFO,
                    summary="No measurable disease at baseline: IMWG response cannot be graded.",
                    detail=(
                        f"{imwg.measurable_disease.text} Marrow plasma cells can carry a "
                        f"partial response only from a baseline of at least "
                        f"{format_number(imwg.partial.marrow_baseline_min_pct)}%. Progression "
                        "is still watched."
                    ),
                    inputs={m.value: p.value for m, p in disease.baseline.items()},
                )
            )
        return _unassessed(imwg, needs, common), findings

    snapshot = _snapshot(case, disease, kb, case.as_of)
    needs = list(disease.baseline_needs) + snapshot.needs
    findings += _need_findings(needs)
    if disease.baseline_needs:
        provisional = (
            f" On the measurable marker(s) alone it would be {snapshot.category.value}."
            if snapshot.category is not None
            else ""
        )
        findings.append(
            _response_finding(
                imwg.measurable_disease,
                imwg.confirmation,
                name="imwg_not_assessable",
                severity=Severity.INFO,
                summary="IMWG response not assessable: baseline results missing.",
                detail=(
                    "Response needs both serum and urine M-protein at baseline, to know which "
                    f"markers must respond.{provisional} {imwg.confirmation.text}"
                ),
                inputs={},
            )
        )
        return _unassessed(imwg, needs, common, basis=snapshot.basis), findings
    if snapshot.category is None:
        return _unassessed(imwg, needs, common, basis=snapshot.basis), findings

    category = snapshot.category
    confirmed = None if category is ImwgCategory.SD else _confirmation(case, disease, kb, category)
    date = max(snapshot.dates) if snapshot.dates else None
    result = ImwgResponse(
        category=category,
        date=date,
        confirmed=confirmed,
        basis=snapshot.basis,
        needed=[need.text for need in needs],
        status=weakest(e.status for e in snapshot.entries),
        citations=merge_citations(*snapshot.entries),
        **common,
    )
    state = {True: "confirmed", False: "not yet confirmed", None: ""}[confirmed]
    findings.append(
        _response_finding(
            *snapshot.entries,
            name="imwg_category",
            severity=Severity.INFO,
            summary=(
                f"IMWG response: {category.value} ({category.words}) as of {date}"
                + (f", {state}." if state else ".")
            ),
            detail=(
                "; ".join(snapshot.basis)
                + f". {getattr(_category_entry(imwg, category), 'text', '')}"
            ),
            inputs={"path": disease.path.value, "date": None if date is None else date.isoformat()},
        )
    )
    if confirmed is False:
        findings.append(
            _response_finding(
                imwg.confirmation,
                name="imwg_unconfirmed",
                severity=Severity.INFO,
                summary=f"{category.value} rests on a single assessment: repeat to confirm.",
                detail=imwg.confirmation.text,
                inputs={},
            )
        )
    if category is ImwgCategory.CR:
        findings.append(_stringent_note(case, disease, kb))
    return result, findings


def _unassessed(
    imwg: ImwgCriteria, needs: list[Need], common: dict, basis: list[str] | None = None
) -> ImwgResponse:
    entries: list[Cited] = [imwg.measurable_disease]
    return ImwgResponse(
        category=None,
        date=None,
        basis=basis or [],
        needed=[need.text for need in needs],
        status=weakest(e.status for e in entries),
        citations=merge_citations(*entries),
        **common,
    )


def _stringent_note(case: Case, disease: Disease, kb: KnowledgeBase) -> Finding:
    imwg = kb.get(ResponseKnowledge).imwg
    pairs = {day: pair for day, pair in flc_pairs(case).items() if disease.start < day}
    if pairs:
        day = max(pairs)
        ratio = flc_ratio(*pairs[day])
        normal = (
            ratio is not None and math.isfinite(ratio) and imwg.flc_ratio_normal.is_normal(ratio)
        )
        shown = "not computable" if ratio is None else format_number(ratio)
        flc = f"Free light chain ratio {shown} ({day}): {'normal' if normal else 'abnormal'}."
    else:
        flc = "No free light chain ratio after the course start."
    return _response_finding(
        imwg.stringent_complete,
        imwg.flc_ratio_normal,
        name="imwg_stringent_not_assessable",
        severity=Severity.INFO,
        summary="Stringent CR cannot be assessed from the case data; reported as CR.",
        detail=f"{flc} {imwg.stringent_complete.text} {imwg.flc_ratio_normal.text}",
        inputs={},
    )


# --- entry point -----------------------------------------------------------------------------


def _not_started(case: Case, kb: KnowledgeBase) -> Finding:
    knowledge = kb.get(ResponseKnowledge)
    if case.indication in MYELOMA_INDICATIONS:
        entry: Cited = knowledge.imwg.measurable_disease
        baseline = (
            "serum M-protein (electrophoresis and immunofixation), urine M-protein from a "
            "24h collection (electrophoresis and immunofixation), serum free light chains, "
            "marrow plasma cells, IgA/IgG/IgM and imaging of any plasmacytoma"
        )
    else:
        entry = knowledge.mds.transfusion_independence
        baseline = (
            "haemoglobin and the RBC transfusions of the weeks before the start (date, units, "
            "pre-transfusion haemoglobin)"
        )
    return _response_finding(
        entry,
        name="not_started",
        severity=Severity.INFO,
        summary="Lenalidomide not started: no response assessment yet.",
        detail=(
            f"Response is measured from the start of treatment. Record the baseline on or before "
            f"the first dose: {baseline}."
        ),
        inputs={"indication": case.indication.value},
    )


def evaluate(case: Case, kb: KnowledgeBase) -> ResponseOutcome:
    """Response assessment for the case's indication (myeloma or MDS); empty otherwise."""
    myeloma = case.indication in MYELOMA_INDICATIONS
    if not myeloma and case.indication is not Indication.MDS_DEL5Q:
        return ResponseOutcome()
    if not current_course(case).started:
        return ResponseOutcome(findings=[_not_started(case, kb)])
    if myeloma:
        imwg, imwg_findings = assess_imwg(case, kb)
        immunoglobulins, ig_findings = assess_immunoglobulin_recovery(case, kb)
        return ResponseOutcome(
            findings=imwg_findings + ig_findings, imwg=imwg, immunoglobulins=immunoglobulins
        )
    mds, mds_findings = assess_mds_response(case, kb)
    return ResponseOutcome(findings=mds_findings, mds=mds)
