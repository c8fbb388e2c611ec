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
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from lenaguard.case import Case, DiseaseImaging, LabResult
from lenaguard.findings import Finding, format_number
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Status, merge_citations, weakest
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.response import (
    PERCENT,
    ImwgCriteria,
    ResponseKnowledge,
    percent_change,
    percent_fall,
    scaled,
)
from lenaguard.rules.course import current_course
from lenaguard.rules.immunoglobulins import (
    ImmunoglobulinRecovery,
    assess_immunoglobulin_recovery,
    immunoglobulin_name,
    involved_immunoglobulin,
)
from lenaguard.rules.mds_response import MdsResponse, assess_mds_response
from lenaguard.rules.results import RuleOutcome
from lenaguard.vocab import (
    Category,
    Indication,
    LabTest,
    LightChain,
    QualitativeResult,
    Severity,
)

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


class Marker(StrEnum):
    """The disease markers IMWG response is measured by."""

    SERUM_M_PROTEIN = "serum_m_protein"
    URINE_M_PROTEIN = "urine_m_protein"
    DFLC = "dflc"
    MARROW_PLASMA_CELLS = "marrow_plasma_cells"

    @property
    def words(self) -> str:
        return _MARKER_WORDS[self]


_MARKER_WORDS = {
    Marker.SERUM_M_PROTEIN: "serum M-protein",
    Marker.URINE_M_PROTEIN: "urine M-protein",
    Marker.DFLC: "dFLC (involved minus uninvolved free light chain)",
    Marker.MARROW_PLASMA_CELLS: "marrow plasma cells",
}


class ResponsePath(StrEnum):
    """Which markers carry the response, decided by measurable disease at baseline."""

    M_PROTEIN = "m_protein"
    FLC = "flc"
    MARROW = "marrow"


class MarkerValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: str
    date: dt.date


class ImwgResponse(BaseModel):
    """The IMWG response category of the current course, with what decided it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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


# --- reading the case ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    date: dt.date
    value: float


@dataclass(frozen=True)
class _Need:
    slug: str
    text: str
    entries: tuple[Cited, ...]


@dataclass
class _Snapshot:
    """The category as of one date, and what it rested on."""

    category: ImwgCategory | None
    basis: list[str] = field(default_factory=list)
    needs: list[_Need] = field(default_factory=list)
    entries: list[Cited] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)


@dataclass(frozen=True)
class _Disease:
    """Baseline facts of the course: markers, measurability, response path."""

    start: dt.date
    as_of: dt.date
    series: dict[Marker, list[_Point]]
    baseline: dict[Marker, _Point]
    measurable: tuple[Marker, ...]
    path: ResponsePath | None
    applied: tuple[Marker, ...]
    involved: LightChain | None
    involved_inferred: bool
    serum_urine_not_measurable: bool
    flc_not_measurable: bool
    baseline_needs: tuple[_Need, ...]
    baseline_ratio: float | None


def _at_least(value: float, limit: float) -> bool:
    return value >= limit or math.isclose(value, limit)


def _below(value: float, limit: float) -> bool:
    return value < limit and not math.isclose(value, limit)


def _above(value: float, limit: float) -> bool:
    return value > limit and not math.isclose(value, limit)


def _points(results: list[LabResult]) -> list[_Point]:
    """One value per date (the last written wins), oldest first."""
    by_date = {lab.date: lab.canonical_value for lab in results if lab.canonical_value is not None}
    return [_Point(day, value) for day, value in sorted(by_date.items())]


def _baseline(points: list[_Point], start: dt.date) -> _Point | None:
    found = [point for point in points if point.date <= start]
    return found[-1] if found else None


def _after(points: list[_Point], start: dt.date, on: dt.date) -> list[_Point]:
    return [point for point in points if start < point.date <= on]


def _latest_after(points: list[_Point], start: dt.date, on: dt.date) -> _Point | None:
    found = _after(points, start, on)
    return found[-1] if found else None


def _latest_result(case: Case, test: LabTest, start: dt.date, on: dt.date) -> LabResult | None:
    found = [lab for lab in case.series(test) if start < lab.date <= on]
    return found[-1] if found else None


def _unit(kb: KnowledgeBase, marker: Marker) -> str:
    test = {
        Marker.SERUM_M_PROTEIN: LabTest.SERUM_M_PROTEIN,
        Marker.URINE_M_PROTEIN: LabTest.URINE_M_PROTEIN,
        Marker.DFLC: LabTest.KAPPA_FLC,
        Marker.MARROW_PLASMA_CELLS: LabTest.MARROW_PLASMA_CELLS,
    }[marker]
    return kb.get(LabsKnowledge).tests[test].canonical_unit or ""


def _value_words(kb: KnowledgeBase, marker: Marker, point: _Point) -> str:
    return f"{format_number(point.value)} {_unit(kb, marker)} ({point.date})"


def _ratio(kappa: float, lambda_: float) -> float | None:
    if lambda_ == 0:
        return None if kappa == 0 else math.inf
    return kappa / lambda_


def _flc_pairs(case: Case) -> dict[dt.date, tuple[float, float]]:
    kappa = {p.date: p.value for p in _points(case.series(LabTest.KAPPA_FLC))}
    lambda_ = {p.date: p.value for p in _points(case.series(LabTest.LAMBDA_FLC))}
    return {day: (kappa[day], lambda_[day]) for day in sorted(set(kappa) & set(lambda_))}


def _involved_chain(
    case: Case, imwg: ImwgCriteria, baseline_pair: tuple[float, float] | None
) -> tuple[LightChain | None, bool]:
    """The case's light chain; else inferred from an abnormal baseline ratio (and say so)."""
    named = None if case.myeloma is None else case.myeloma.light_chain
    if named is not None:
        return named, False
    if baseline_pair is None:
        return None, False
    ratio = _ratio(*baseline_pair)
    if ratio is None:
        return None, False
    if ratio > imwg.flc_ratio_normal.high:
        return LightChain.KAPPA, True
    if ratio < imwg.flc_ratio_normal.low:
        return LightChain.LAMBDA, True
    return None, False


def _dflc(pair: tuple[float, float], involved: LightChain) -> float:
    kappa, lambda_ = pair
    return kappa - lambda_ if involved is LightChain.KAPPA else lambda_ - kappa


def _flc_measurable(
    pair: tuple[float, float], involved: LightChain | None, imwg: ImwgCriteria
) -> bool:
    """Involved FLC high enough, with the ratio abnormal on the involved chain's side."""
    if involved is None:
        return False
    kappa, lambda_ = pair
    ratio = _ratio(kappa, lambda_)
    if ratio is None:
        return False
    level = kappa if involved is LightChain.KAPPA else lambda_
    abnormal = (
        ratio > imwg.flc_ratio_normal.high
        if involved is LightChain.KAPPA
        else ratio < imwg.flc_ratio_normal.low
    )
    return abnormal and _at_least(level, imwg.measurable_disease.involved_flc_min_mg_dl)


def _read_disease(case: Case, kb: KnowledgeBase, start: dt.date) -> _Disease:
    imwg = kb.get(ResponseKnowledge).imwg
    measurable_rule = imwg.measurable_disease
    series = {
        Marker.SERUM_M_PROTEIN: _points(case.series(LabTest.SERUM_M_PROTEIN)),
        Marker.URINE_M_PROTEIN: _points(case.series(LabTest.URINE_M_PROTEIN)),
        Marker.MARROW_PLASMA_CELLS: _points(case.series(LabTest.MARROW_PLASMA_CELLS)),
    }
    pairs = _flc_pairs(case)
    baseline_days = [day for day in pairs if day <= start]
    baseline_pair = pairs[baseline_days[-1]] if baseline_days else None
    involved, inferred = _involved_chain(case, imwg, baseline_pair)
    if involved is not None:
        series[Marker.DFLC] = [_Point(day, _dflc(pair, involved)) for day, pair in pairs.items()]
    baseline = {
        marker: point
        for marker, points in series.items()
        if (point := _baseline(points, start)) is not None
    }
    serum = baseline.get(Marker.SERUM_M_PROTEIN)
    urine = baseline.get(Marker.URINE_M_PROTEIN)
    serum_measurable = serum is not None and _at_least(
        serum.value, measurable_rule.serum_m_protein_min_g_dl
    )
    urine_measurable = urine is not None and _at_least(
        urine.value, measurable_rule.urine_m_protein_min_mg_24h
    )
    flc_measurable = baseline_pair is not None and _flc_measurable(baseline_pair, involved, imwg)
    measurable = tuple(
        marker
        for marker, yes in (
            (Marker.SERUM_M_PROTEIN, serum_measurable),
            (Marker.URINE_M_PROTEIN, urine_measurable),
            (Marker.DFLC, flc_measurable),
        )
        if yes
    )
    needs: list[_Need] = []
    if serum is None:
        needs.append(
            _Need(
                "baseline_serum_m_protein",
                f"serum M-protein (electrophoresis) on or before the course start ({start}): it "
                "decides whether serum disease is measurable and is the reference for every "
                "response category",
                (measurable_rule,),
            )
        )
    if urine is None:
        needs.append(
            _Need(
                "baseline_urine_m_protein",
                f"urine M-protein (24h collection, electrophoresis) on or before {start}: it "
                "decides whether urine disease is measurable and is needed to judge the urine "
                "part of PR and VGPR",
                (measurable_rule, imwg.partial),
            )
        )
    both_known = serum is not None and urine is not None
    serum_urine_not_measurable = both_known and not (serum_measurable or urine_measurable)
    path: ResponsePath | None = None
    applied: tuple[Marker, ...] = ()
    if serum_measurable or urine_measurable:
        path = ResponsePath.M_PROTEIN
        applied = tuple(m for m in measurable if m is not Marker.DFLC)
    elif serum_urine_not_measurable:
        if baseline_pair is None:
            needs.append(
                _Need(
                    "baseline_flc",
                    f"serum free light chains (kappa and lambda, same day) on or before {start}: "
                    "serum and urine M-protein are not measurable, so the free light chains may "
                    "carry the response",
                    (measurable_rule, imwg.partial),
                )
            )
        elif flc_measurable:
            path, applied = ResponsePath.FLC, (Marker.DFLC,)
        else:
            marrow = baseline.get(Marker.MARROW_PLASMA_CELLS)
            if marrow is None:
                needs.append(
                    _Need(
                        "baseline_marrow",
                        f"marrow plasma cell percentage on or before {start}: neither M-protein "
                        "nor free light chains are measurable, so only the marrow can carry a "
                        "partial response",
                        (imwg.partial,),
                    )
                )
            elif _at_least(marrow.value, imwg.partial.marrow_baseline_min_pct):
                path, applied = ResponsePath.MARROW, (Marker.MARROW_PLASMA_CELLS,)
    return _Disease(
        start=start,
        as_of=case.as_of,
        series=series,
        baseline=baseline,
        measurable=measurable,
        path=path,
        applied=applied,
        involved=involved,
        involved_inferred=inferred,
        serum_urine_not_measurable=serum_urine_not_measurable,
        flc_not_measurable=serum_urine_not_measurable
        and baseline_pair is not None
        and not flc_measurable,
        baseline_needs=tuple(needs),
        baseline_ratio=None if baseline_pair is None else _ratio(*baseline_pair),
    )


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
    if _at_least(fall, imwg.very_good_partial.serum_fall_min_pct):
        return ImwgCategory.VGPR
    if _at_least(fall, imwg.partial.serum_fall_min_pct):
        return ImwgCategory.PR
    if _at_least(fall, imwg.minimal.serum_fall_min_pct):
        return ImwgCategory.MR
    return ImwgCategory.SD


def _urine_level(imwg: ImwgCriteria, fall: float, value: float) -> ImwgCategory:
    if _below(value, imwg.very_good_partial.urine_below_mg_24h):
        return ImwgCategory.VGPR
    if _at_least(fall, imwg.partial.urine_fall_min_pct) or _below(
        value, imwg.partial.urine_below_mg_24h
    ):
        return ImwgCategory.PR
    if _at_least(fall, imwg.minimal.urine_fall_min_pct):
        return ImwgCategory.MR
    return ImwgCategory.SD


def _dflc_level(imwg: ImwgCriteria, fall: float) -> ImwgCategory:
    if _above(fall, imwg.very_good_partial.dflc_fall_above_pct):
        return ImwgCategory.VGPR
    if _at_least(fall, imwg.partial.dflc_fall_min_pct):
        return ImwgCategory.PR
    return ImwgCategory.SD


def _marrow_level(imwg: ImwgCriteria, fall: float) -> ImwgCategory:
    return ImwgCategory.PR if _at_least(fall, imwg.partial.marrow_fall_min_pct) else ImwgCategory.SD


def _marker_levels(
    disease: _Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> ImwgCategory | None:
    """The lowest level the path's markers reach on `on`; None when one has no value yet."""
    imwg = kb.get(ResponseKnowledge).imwg
    levels: list[ImwgCategory] = []
    missing = False
    for marker in disease.applied:
        current = _latest_after(disease.series.get(marker, []), disease.start, on)
        base = disease.baseline[marker]
        if current is None:
            snap.needs.append(
                _Need(
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
            f"{marker.words} {_value_words(kb, marker, base)} → "
            f"{_value_words(kb, marker, current)}: {change} of "
            f"{format_number(round(abs(fall), 1))}% ({level.value} level)"
        )
        snap.dates.append(current.date)
        levels.append(level)
    if missing or not levels:
        return None
    return _lowest(levels)


def _imaging(case: Case) -> list[DiseaseImaging]:
    return [] if case.myeloma is None else sorted(case.myeloma.imaging, key=lambda i: i.date)


def _measured_imaging(case: Case, first: dt.date | None, last: dt.date) -> DiseaseImaging | None:
    """Latest imaging with a plasmacytoma size, dated after `first` (if given) and up to `last`."""
    found = [
        item
        for item in _imaging(case)
        if item.plasmacytoma_spd_cm2 is not None
        and item.date <= last
        and (first is None or item.date > first)
    ]
    return found[-1] if found else None


def _baseline_spd(case: Case, start: dt.date) -> DiseaseImaging | None:
    found = _measured_imaging(case, None, start)
    return found if found is not None and (found.plasmacytoma_spd_cm2 or 0) > 0 else None


def _plasmacytoma_gate(
    case: Case, disease: _Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
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
            _Need(
                "imaging_after_start",
                f"imaging after the course start: plasmacytomas at baseline "
                f"({format_number(base_spd)} cm², {base.date}) must shrink by at least "
                f"{shrink_min}% for PR or better",
                (imwg.partial,),
            )
        )
        return False
    shrink = percent_fall(base_spd, latest.plasmacytoma_spd_cm2 or 0) or 0
    passed = _at_least(shrink, imwg.partial.plasmacytoma_shrink_min_pct)
    snap.basis.append(
        f"plasmacytoma size {format_number(base_spd)} cm² ({base.date}) → "
        f"{format_number(latest.plasmacytoma_spd_cm2 or 0)} cm² ({latest.date}): "
        f"{format_number(round(shrink, 1))}% smaller "
        f"({'meets' if passed else 'short of'} the {shrink_min}% PR requirement)"
    )
    snap.dates.append(latest.date)
    return passed


def _complete_response(
    case: Case, disease: _Disease, kb: KnowledgeBase, on: dt.date, snap: _Snapshot
) -> bool:
    """CR: both immunofixations negative, marrow below the limit, no plasmacytoma left."""
    imwg = kb.get(ResponseKnowledge).imwg
    rule = imwg.complete
    met = True
    for test, words in (
        (LabTest.SERUM_IFE, "serum immunofixation"),
        (LabTest.URINE_IFE, "urine immunofixation"),
    ):
        result = _latest_result(case, test, disease.start, on)
        if result is None:
            snap.needs.append(
                _Need(f"{test.value}_for_cr", f"{words} after the course start (for CR)", (rule,))
            )
            met = False
        elif result.result is not QualitativeResult.NEGATIVE:
            snap.basis.append(f"{words} positive ({result.date}): not CR")
            met = False
        else:
            snap.basis.append(f"{words} negative ({result.date})")
            snap.dates.append(result.date)
    limit = format_number(rule.marrow_plasma_cells_below_pct)
    marrow = _latest_after(disease.series[Marker.MARROW_PLASMA_CELLS], disease.start, on)
    if marrow is None:
        snap.needs.append(
            _Need(
                "marrow_for_cr",
                f"marrow plasma cell percentage after the course start (CR needs below {limit}%)",
                (rule,),
            )
        )
        met = False
    elif _below(marrow.value, rule.marrow_plasma_cells_below_pct):
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
            _Need(
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


def _snapshot(case: Case, disease: _Disease, kb: KnowledgeBase, on: dt.date) -> _Snapshot:
    """The response category (not PD) as of `on`."""
    imwg = kb.get(ResponseKnowledge).imwg
    snap = _Snapshot(category=None, entries=[imwg.measurable_disease])
    if disease.path is not ResponsePath.M_PROTEIN and disease.path is not None:
        snap.entries.append(imwg.flc_ratio_normal)
    if disease.path is ResponsePath.M_PROTEIN:
        for marker in (Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN):
            base = disease.baseline.get(marker)
            if base is not None and marker not in disease.applied:
                snap.basis.append(
                    f"{marker.words} {_value_words(kb, marker, base)} at baseline: not "
                    "measurable, so not part of the response criteria"
                )
    level = _marker_levels(disease, kb, on, snap)
    if level is None:
        return snap
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


# --- progression -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rise:
    point: _Point
    nadir: _Point | None
    qualifies: bool


def _pair_level(first: _Point, second: _Point) -> _Point:
    """The level held on two consecutive assessments: the higher value, dated when confirmed."""
    return _Point(second.date, max(first.value, second.value))


def _confirmed_nadir(baseline: _Point | None, post: list[_Point]) -> _Point | None:
    candidates = [baseline] if baseline is not None else []
    candidates += [_pair_level(a, b) for a, b in zip(post, post[1:], strict=False)]
    return min(candidates, key=lambda p: p.value) if candidates else None


def _progression_test(marker: Marker, imwg: ImwgCriteria) -> Callable[[float, float], bool]:
    rule = imwg.progressive

    def qualifies(nadir: float, value: float) -> bool:
        rise = value - nadir
        if rise <= 0:
            return False
        if marker is Marker.SERUM_M_PROTEIN and _at_least(nadir, rule.high_nadir_g_dl):
            # From a high nadir the absolute rise is enough on its own: a percentage rise
            # would already exceed it, so only this reading gives the clause an effect.
            return _at_least(rise, rule.serum_rise_min_high_nadir_g_dl)
        if not _at_least(value, scaled(nadir, PERCENT + rule.rise_min_pct)):
            return False
        if marker is Marker.SERUM_M_PROTEIN:
            return _at_least(rise, rule.serum_rise_min_g_dl)
        if marker is Marker.URINE_M_PROTEIN:
            return _at_least(rise, rule.urine_rise_min_mg_24h)
        if marker is Marker.DFLC:
            return _above(rise, rule.dflc_rise_above_mg_dl)
        return _at_least(rise, rule.marrow_rise_min_pct)

    return qualifies


def _rises(disease: _Disease, marker: Marker, imwg: ImwgCriteria) -> list[_Rise]:
    """Each assessment after the start, judged against the lowest confirmed value before it."""
    post = _after(disease.series.get(marker, []), disease.start, disease.as_of)
    base = disease.baseline.get(marker)
    test = _progression_test(marker, imwg)
    rises = []
    for index, point in enumerate(post):
        nadir = _confirmed_nadir(base, post[:index])
        qualifies = nadir is not None and test(nadir.value, point.value)
        rises.append(_Rise(point, nadir, qualifies))
    return rises


def _progression_markers(disease: _Disease) -> list[Marker]:
    markers = [Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN]
    if disease.serum_urine_not_measurable and Marker.DFLC in disease.series:
        markers.append(Marker.DFLC)
    if disease.flc_not_measurable:
        markers.append(Marker.MARROW_PLASMA_CELLS)
    return markers


@dataclass
class _Progression:
    confirmed_on: dt.date | None = None
    basis: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    nadirs: dict[Marker, _Point] = field(default_factory=dict)
    serum_latest_rises: bool = False


def _progression(case: Case, disease: _Disease, kb: KnowledgeBase) -> _Progression:
    imwg = kb.get(ResponseKnowledge).imwg
    needed = imwg.progressive.consecutive_assessments
    found = _Progression()
    for marker in _progression_markers(disease):
        rises = _rises(disease, marker, imwg)
        post = [rise.point for rise in rises]
        nadir = _confirmed_nadir(disease.baseline.get(marker), post)
        if nadir is not None:
            found.nadirs[marker] = nadir
        run = 0
        for rise in rises:
            run = run + 1 if rise.qualifies else 0
            if run >= needed and rise.nadir is not None:
                words = (
                    f"{marker.words} rose from the lowest confirmed value "
                    f"{_value_words(kb, marker, rise.nadir)} to "
                    f"{_value_words(kb, marker, rise.point)}, on {format_number(run)} "
                    "consecutive qualifying assessments"
                )
                if found.confirmed_on is None or rise.point.date < found.confirmed_on:
                    found.confirmed_on = rise.point.date
                    found.basis = [words]
                break
        if rises and rises[-1].qualifies and rises[-1].nadir is not None:
            if marker is Marker.SERUM_M_PROTEIN:
                found.serum_latest_rises = True
            if run < needed:
                found.possible.append(
                    f"{marker.words} {_value_words(kb, marker, rises[-1].point)} is at least "
                    f"{format_number(imwg.progressive.rise_min_pct)}% above the lowest confirmed "
                    f"value {_value_words(kb, marker, rises[-1].nadir)}"
                )
    scans = [item for item in _imaging(case) if disease.start < item.date <= disease.as_of]
    run = 0
    for scan in scans:
        run = run + 1 if scan.new_lesions else 0
        if run >= needed:
            if found.confirmed_on is None or scan.date < found.confirmed_on:
                found.confirmed_on = scan.date
                found.basis = [
                    f"new bone lesions or plasmacytomas on {format_number(run)} consecutive "
                    f"imaging assessments (latest {scan.date})"
                ]
            break
    if scans and scans[-1].new_lesions and run < needed:
        found.possible.append(f"new bone lesions or plasmacytomas on imaging ({scans[-1].date})")
    return found


# --- assembling the IMWG result --------------------------------------------------------------


def _need_findings(needs: list[_Need]) -> list[Finding]:
    seen: dict[str, _Need] = {}
    for need in needs:
        seen.setdefault(need.slug, need)
    return [
        Finding.from_entries(
            *need.entries,
            id=f"response.imwg_needed_{need.slug}",
            category=Category.RESPONSE,
            severity=Severity.INFO,
            summary=f"For IMWG response assessment: {need.text.split(':')[0]} needed.",
            detail=f"Needed: {need.text}.",
            inputs={},
        )
        for need in seen.values()
    ]


def _confirmation(case: Case, disease: _Disease, kb: KnowledgeBase, current: ImwgCategory) -> bool:
    """True when the earlier consecutive assessments show the same category or better."""
    needed = kb.get(ResponseKnowledge).imwg.confirmation.consecutive_assessments
    primary = _after(disease.series.get(disease.applied[0], []), disease.start, disease.as_of)
    if len(primary) < needed:
        return False
    for back in range(1, needed):
        earlier = _snapshot(case, disease, kb, primary[-back].date - _ONE_DAY)
        if earlier.category is None or _rank(earlier.category) < _rank(current):
            return False
    return True


def _marker_values(kb: KnowledgeBase, points: dict[Marker, _Point]) -> dict[Marker, MarkerValue]:
    return {
        marker: MarkerValue(value=point.value, unit=_unit(kb, marker), date=point.date)
        for marker, point in points.items()
    }


def _possible_progression_finding(imwg: ImwgCriteria, possible: list[str]) -> Finding:
    count = format_number(imwg.progressive.consecutive_assessments)
    return Finding.from_entries(
        imwg.progressive,
        id="response.imwg_possible_progression",
        category=Category.RESPONSE,
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
    disease = _read_disease(case, kb, course.start_date)
    findings: list[Finding] = []
    if disease.involved_inferred and disease.involved is not None:
        findings.append(
            Finding.from_entries(
                imwg.involved_light_chain,
                imwg.flc_ratio_normal,
                id="response.imwg_light_chain_inferred",
                category=Category.RESPONSE,
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
    progression = _progression(case, disease, kb)
    findings += _polyclonal_findings(case, disease, kb, progression)
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
            Finding.from_entries(
                *entries,
                id="response.imwg_progression",
                category=Category.RESPONSE,
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
                Finding.from_entries(
                    imwg.measurable_disease,
                    id="response.imwg_not_measurable",
                    category=Category.RESPONSE,
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
            Finding.from_entries(
                imwg.measurable_disease,
                imwg.confirmation,
                id="response.imwg_not_assessable",
                category=Category.RESPONSE,
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
        Finding.from_entries(
            *snapshot.entries,
            id="response.imwg_category",
            category=Category.RESPONSE,
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
            Finding.from_entries(
                imwg.confirmation,
                id="response.imwg_unconfirmed",
                category=Category.RESPONSE,
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
    imwg: ImwgCriteria, needs: list[_Need], common: dict, basis: list[str] | None = None
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


def _stringent_note(case: Case, disease: _Disease, kb: KnowledgeBase) -> Finding:
    imwg = kb.get(ResponseKnowledge).imwg
    pairs = {day: pair for day, pair in _flc_pairs(case).items() if disease.start < day}
    if pairs:
        day = max(pairs)
        ratio = _ratio(*pairs[day])
        normal = (
            ratio is not None and math.isfinite(ratio) and imwg.flc_ratio_normal.is_normal(ratio)
        )
        shown = "not computable" if ratio is None else format_number(ratio)
        flc = f"Free light chain ratio {shown} ({day}): {'normal' if normal else 'abnormal'}."
    else:
        flc = "No free light chain ratio after the course start."
    return Finding.from_entries(
        imwg.stringent_complete,
        imwg.flc_ratio_normal,
        id="response.imwg_stringent_not_assessable",
        category=Category.RESPONSE,
        severity=Severity.INFO,
        summary="Stringent CR cannot be assessed from the case data; reported as CR.",
        detail=f"{flc} {imwg.stringent_complete.text} {imwg.flc_ratio_normal.text}",
        inputs={},
    )


# --- total immunoglobulins (polyclonal rise) -------------------------------------------------


def _polyclonal_findings(
    case: Case, disease: _Disease, kb: KnowledgeBase, progression: _Progression
) -> list[Finding]:
    """Total IgA/IgG up while the M-protein is not: say it is not progression by itself."""
    imwg = kb.get(ResponseKnowledge).imwg
    rule, progressive = imwg.polyclonal_rise, imwg.progressive
    heavy = None if case.myeloma is None else case.myeloma.heavy_chain
    serum_after = _after(disease.series[Marker.SERUM_M_PROTEIN], disease.start, disease.as_of)
    findings: list[Finding] = []
    for test in rule.immunoglobulins:
        base = case.latest(test, on_or_before=disease.start)
        latest = _latest_result(case, test, disease.start, disease.as_of)
        if base is None or latest is None:
            continue
        before, after = base.canonical_value or 0, latest.canonical_value or 0
        if before == 0 or not _at_least(after, scaled(before, PERCENT + progressive.rise_min_pct)):
            continue
        name = immunoglobulin_name(test)
        change = format_number(round(percent_change(before, after) or 0, 1))
        own = involved_immunoglobulin(heavy) is test
        rose = (
            f"Total {name} rose {change}% ({format_number(before)} → {format_number(after)} "
            f"mg/dL, {base.date} → {latest.date})"
        )
        whose = (
            f" This is {name} myeloma: judge it by the M-protein on serum electrophoresis and "
            f"immunofixation, never by total {name}."
            if own
            else ""
        )
        if not serum_after:
            findings.append(
                Finding.from_entries(
                    rule,
                    id=f"response.total_{test.value}_rise_needs_m_protein",
                    category=Category.RESPONSE,
                    severity=Severity.WARNING,
                    summary=f"Total {name} rose {change}%: check the M-protein before calling it "
                    "progression.",
                    detail=(
                        f"{rose}, and there is no serum M-protein after the course start.{whose} "
                        f"{rule.text}"
                    ),
                    inputs={"baseline": before, "latest": after},
                )
            )
        elif not progression.serum_latest_rises:
            findings.append(
                Finding.from_entries(
                    rule,
                    progressive,
                    id=f"response.polyclonal_{test.value}_rise",
                    category=Category.RESPONSE,
                    severity=Severity.INFO,
                    summary=(
                        f"Total {name} rose {change}% while the serum M-protein did not: likely "
                        "polyclonal, not progression."
                    ),
                    detail=(
                        f"{rose}; latest serum M-protein "
                        f"{_value_words(kb, Marker.SERUM_M_PROTEIN, serum_after[-1])} does not "
                        f"meet the progression rise.{whose} {rule.text}"
                    ),
                    inputs={"baseline": before, "latest": after},
                )
            )
    return findings


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
    return Finding.from_entries(
        entry,
        id="response.not_started",
        category=Category.RESPONSE,
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
