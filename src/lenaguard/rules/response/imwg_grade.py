"""IMWG response: the category a course has reached on one date, and the facts it rests on.

`grade_on` applies the category criteria (Kumar et al., Lancet Oncology) to the markers that
carry the response, then the conditions every category adds: VGPR needs both M-protein studies,
PR and better need baseline plasmacytomas shrunk, CR needs negative immunofixations, a marrow
below the limit and no plasmacytoma left. Each value it looks at is recorded as a typed
observation, and each missing piece of data as a `Need` (a missing piece never counts as met);
`imwg_words` words both. `confirmed` checks the earlier consecutive assessments. Progressive
disease is found apart (`imwg_progression`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from lenaguard.case import Case, DiseaseImaging
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited
from lenaguard.knowledge.topics.response import ImwgCriteria, ResponseKnowledge, percent_fall
from lenaguard.rules.response.imwg_markers import (
    Disease,
    Marker,
    Need,
    NeedKind,
    Point,
    ResponsePath,
    above,
    at_least,
    below,
    imaging_of,
    latest_after,
    latest_result,
    points_after,
)
from lenaguard.vocab import LabTest, QualitativeResult

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
    """A category's place from worst (PD, 0) to best (sCR)."""
    return _ORDER.index(category)


def _lowest(categories: list[ImwgCategory]) -> ImwgCategory:
    return min(categories, key=_rank)


def category_entry(imwg: ImwgCriteria, category: ImwgCategory) -> Cited:
    """The knowledge entry that defines a category."""
    return {
        ImwgCategory.SCR: imwg.stringent_complete,
        ImwgCategory.CR: imwg.complete,
        ImwgCategory.VGPR: imwg.very_good_partial,
        ImwgCategory.PR: imwg.partial,
        ImwgCategory.MR: imwg.minimal,
        ImwgCategory.SD: imwg.stable,
        ImwgCategory.PD: imwg.progressive,
    }[category]


# --- what a category rests on ------------------------------------------------------------------


@dataclass(frozen=True)
class NotResponseMarker:
    """An M-protein component seen at baseline but not measurable: not a response marker."""

    marker: Marker
    baseline: Point


@dataclass(frozen=True)
class MarkerLevel:
    """A response marker's change from baseline, and the category level it reaches."""

    marker: Marker
    baseline: Point
    current: Point
    fall_pct: float
    """Per cent fall from baseline; negative for a rise."""
    level: ImwgCategory


@dataclass(frozen=True)
class VgprComponent:
    """The serum or urine part of VGPR, for a component that was not measurable at baseline."""

    marker: Marker
    latest: Point
    baseline_value: bool
    """The latest value is the baseline one: no result after the course start."""
    met: bool


@dataclass(frozen=True)
class PlasmacytomaShrink:
    """Plasmacytoma size (sum of products of diameters, cm²) from baseline to the latest scan."""

    baseline: Point
    latest: Point
    shrink_pct: float
    met: bool
    """Shrunk enough for PR and better."""


@dataclass(frozen=True)
class Immunofixation:
    """A serum or urine immunofixation after the start, for CR."""

    test: LabTest
    date: dt.date
    negative: bool


@dataclass(frozen=True)
class MarrowForCr:
    """Marrow plasma cells after the start, for CR."""

    point: Point
    below_limit: bool


@dataclass(frozen=True)
class ImagingForCr:
    """Soft-tissue plasmacytoma on imaging after the start, for CR."""

    date: dt.date | None
    """None: no imaging recorded, and none at baseline (CR assumes none)."""
    plasmacytoma_seen: bool


Observation = (
    NotResponseMarker
    | MarkerLevel
    | VgprComponent
    | PlasmacytomaShrink
    | Immunofixation
    | MarrowForCr
    | ImagingForCr
)
"""One value a category rests on, in the order the criteria looked at it."""


@dataclass
class CategorySnapshot:
    """The category (not PD) as of one date, what it rested on and what it still needs."""

    category: ImwgCategory | None
    basis: list[Observation] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    entries: list[Cited] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)


# --- marker levels -----------------------------------------------------------------------------


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
    disease: Disease, kb: KnowledgeBase, on: dt.date, snap: CategorySnapshot
) -> ImwgCategory | None:
    """The lowest level the path's markers reach on `on`; None when one has no value yet."""
    imwg = kb.get(ResponseKnowledge).imwg
    levels: list[ImwgCategory] = []
    missing = False
    for marker in disease.applied:
        current = latest_after(disease.series.get(marker, []), disease.start, on)
        base = disease.baseline[marker]
        if current is None:
            snap.needs.append(Need(NeedKind.AFTER_START, (imwg.partial,), marker=marker))
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
        snap.basis.append(MarkerLevel(marker, base, current, fall, level))
        snap.dates.append(current.date)
        levels.append(level)
    if missing or not levels:
        return None
    return _lowest(levels)


# --- the conditions each category adds ---------------------------------------------------------


def _vgpr_component_met(imwg: ImwgCriteria, marker: Marker, base: Point, latest: Point) -> bool:
    """The VGPR condition on one M-protein component, as its latest value stands."""
    if marker is Marker.URINE_M_PROTEIN:
        return below(latest.value, imwg.very_good_partial.urine_below_mg_24h)
    if latest.value == 0:  # no longer seen on electrophoresis
        return True
    fall = percent_fall(base.value, latest.value)
    return fall is not None and at_least(fall, imwg.very_good_partial.serum_fall_min_pct)


def _vgpr_other_component_gate(
    disease: Disease, kb: KnowledgeBase, on: dt.date, snap: CategorySnapshot
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
        before_start = latest.date <= disease.start
        met = _vgpr_component_met(imwg, marker, base, latest)
        snap.basis.append(VgprComponent(marker, latest, before_start, met))
        if met:
            snap.dates.append(latest.date)
            continue
        if before_start:
            snap.needs.append(
                Need(NeedKind.FOR_VGPR, (imwg.very_good_partial,), marker=marker, point=latest)
            )
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
    case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date, snap: CategorySnapshot
) -> bool:
    """PR and better need baseline plasmacytomas shrunk enough; False caps the category at MR."""
    imwg = kb.get(ResponseKnowledge).imwg
    base = _baseline_spd(case, disease.start)
    if base is None:
        return True
    base_point = Point(base.date, base.plasmacytoma_spd_cm2 or 0)
    latest = _measured_imaging(case, disease.start, on)
    if latest is None:
        snap.needs.append(Need(NeedKind.IMAGING_AFTER_START, (imwg.partial,), point=base_point))
        return False
    latest_point = Point(latest.date, latest.plasmacytoma_spd_cm2 or 0)
    shrink = percent_fall(base_point.value, latest_point.value) or 0
    passed = at_least(shrink, imwg.partial.plasmacytoma_shrink_min_pct)
    snap.basis.append(PlasmacytomaShrink(base_point, latest_point, shrink, passed))
    snap.dates.append(latest.date)
    return passed


def _complete_response(
    case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date, snap: CategorySnapshot
) -> bool:
    """CR: both immunofixations negative, marrow below the limit, no plasmacytoma left."""
    rule = kb.get(ResponseKnowledge).imwg.complete
    met = True
    for test in (LabTest.SERUM_IFE, LabTest.URINE_IFE):
        result = latest_result(case, test, disease.start, on)
        if result is None:
            snap.needs.append(Need(NeedKind.IMMUNOFIXATION_FOR_CR, (rule,), test=test))
            met = False
            continue
        negative = result.result is QualitativeResult.NEGATIVE
        snap.basis.append(Immunofixation(test, result.date, negative))
        if negative:
            snap.dates.append(result.date)
        else:
            met = False
    marrow = latest_after(disease.series[Marker.MARROW_PLASMA_CELLS], disease.start, on)
    if marrow is None:
        snap.needs.append(Need(NeedKind.MARROW_FOR_CR, (rule,)))
        met = False
    else:
        under = below(marrow.value, rule.marrow_plasma_cells_below_pct)
        snap.basis.append(MarrowForCr(marrow, under))
        if under:
            snap.dates.append(marrow.date)
        else:
            met = False
    latest = _measured_imaging(case, disease.start, on)
    if latest is not None:
        seen = (latest.plasmacytoma_spd_cm2 or 0) > 0
        snap.basis.append(ImagingForCr(latest.date, seen))
        met = met and not seen
    elif _baseline_spd(case, disease.start) is not None:
        snap.needs.append(Need(NeedKind.IMAGING_FOR_CR, (rule,)))
        met = False
    else:
        snap.basis.append(ImagingForCr(None, False))
    return met


# --- the category on one date ------------------------------------------------------------------


def grade_on(case: Case, disease: Disease, kb: KnowledgeBase, on: dt.date) -> CategorySnapshot:
    """The response category (not PD) as of `on`, with what it rests on and what it needs."""
    imwg = kb.get(ResponseKnowledge).imwg
    snap = CategorySnapshot(category=None, entries=[imwg.measurable_disease])
    if disease.path is not ResponsePath.M_PROTEIN and disease.path is not None:
        snap.entries.append(imwg.flc_ratio_normal)
    if disease.path is ResponsePath.M_PROTEIN:
        for marker in (Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN):
            base = disease.baseline.get(marker)
            if base is not None and marker not in disease.applied:
                snap.basis.append(NotResponseMarker(marker, base))
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
    snap.entries.append(category_entry(imwg, level))
    return snap


def confirmed(case: Case, disease: Disease, kb: KnowledgeBase, current: ImwgCategory) -> bool:
    """True when the earlier consecutive assessments show the same category or better."""
    needed = kb.get(ResponseKnowledge).imwg.confirmation.consecutive_assessments
    primary = points_after(disease.series.get(disease.applied[0], []), disease.start, disease.as_of)
    if len(primary) < needed:
        return False
    for back in range(1, needed):
        earlier = grade_on(case, disease, kb, primary[-back].date - _ONE_DAY)
        if earlier.category is None or _rank(earlier.category) < _rank(current):
            return False
    return True
