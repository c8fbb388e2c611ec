"""IMWG response: reading a myeloma case into dated disease markers at a course's baseline.

The markers IMWG response is measured by (serum and urine M-protein, the free light chain
difference dFLC, marrow plasma cells) are read from the case as dated points, one per date.
`decide_disease` takes the baseline (the last result on or before the course start), decides
which markers are measurable, and so which markers carry the response (the response path):
serum and/or urine M-protein; otherwise dFLC; otherwise marrow plasma cells. What is missing for
that decision is returned as typed needs, never filled in; `imwg_words` words them.

Used by `lenaguard.rules.response.imwg` (categories), `lenaguard.rules.response.imwg_progression` and
`lenaguard.rules.response.polyclonal`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from lenaguard.case import Case, DiseaseImaging, LabResult
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.response import ImwgCriteria, ResponseKnowledge
from lenaguard.text import format_number
from lenaguard.vocab import LabTest, LightChain


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


@dataclass(frozen=True)
class Point:
    """One dated value of a marker, in its canonical unit."""

    date: dt.date
    value: float


class NeedKind(StrEnum):
    """What data a response category still needs from the case."""

    BASELINE_SERUM_M_PROTEIN = "baseline_serum_m_protein"
    BASELINE_URINE_M_PROTEIN = "baseline_urine_m_protein"
    BASELINE_FLC = "baseline_flc"
    """Free light chains at baseline: M-protein is not measurable."""
    BASELINE_MARROW = "baseline_marrow"
    """Marrow plasma cells at baseline: neither M-protein nor free light chains are measurable."""
    AFTER_START = "after_start"
    """A response marker has no result after the course start."""
    FOR_VGPR = "for_vgpr"
    """A component not measurable at baseline, which VGPR still needs after the start."""
    IMAGING_AFTER_START = "imaging_after_start"
    """Baseline plasmacytomas: PR and better need imaging after the start."""
    IMMUNOFIXATION_FOR_CR = "for_cr"
    """Serum or urine immunofixation after the start, for CR."""
    MARROW_FOR_CR = "marrow_for_cr"
    IMAGING_FOR_CR = "imaging_for_cr"


@dataclass(frozen=True)
class Need:
    """Data needed for a response category, and the knowledge entries that ask for it."""

    kind: NeedKind
    entries: tuple[Cited, ...]
    marker: Marker | None = None
    """The marker needed (after the start, for VGPR)."""
    test: LabTest | None = None
    """The immunofixation needed for CR."""
    point: Point | None = None
    """For VGPR: the latest value on record; imaging: the baseline plasmacytoma size (cm²)."""

    @property
    def slug(self) -> str:
        """The finding slug: the kind, prefixed by the marker or the test it is about."""
        prefix = self.marker or self.test
        return self.kind.value if prefix is None else f"{prefix.value}_{self.kind.value}"


@dataclass(frozen=True)
class Disease:
    """The decision on the course's disease at baseline: markers, measurability, response path.

    A frozen dataclass, not a pydantic model: it is read many times per assessment (every
    snapshot of the confirmation, progression and the polyclonal check).
    """

    start: dt.date
    as_of: dt.date
    series: dict[Marker, list[Point]]
    baseline: dict[Marker, Point]
    measurable: tuple[Marker, ...]
    path: ResponsePath | None
    applied: tuple[Marker, ...]
    involved: LightChain | None
    involved_inferred: bool
    serum_urine_not_measurable: bool
    flc_not_measurable: bool
    baseline_needs: tuple[Need, ...]
    """Baseline results missing to decide measurability or the path (never filled in)."""
    baseline_ratio: float | None


def at_least(value: float, limit: float) -> bool:
    return value >= limit or math.isclose(value, limit)


def below(value: float, limit: float) -> bool:
    return value < limit and not math.isclose(value, limit)


def above(value: float, limit: float) -> bool:
    return value > limit and not math.isclose(value, limit)


def points_of(results: list[LabResult]) -> list[Point]:
    """One value per date (the last written wins), oldest first."""
    by_date = {lab.date: lab.canonical_value for lab in results if lab.canonical_value is not None}
    return [Point(day, value) for day, value in sorted(by_date.items())]


def baseline_point(points: list[Point], start: dt.date) -> Point | None:
    found = [point for point in points if point.date <= start]
    return found[-1] if found else None


def points_after(points: list[Point], start: dt.date, on: dt.date) -> list[Point]:
    return [point for point in points if start < point.date <= on]


def latest_after(points: list[Point], start: dt.date, on: dt.date) -> Point | None:
    found = points_after(points, start, on)
    return found[-1] if found else None


def latest_result(case: Case, test: LabTest, start: dt.date, on: dt.date) -> LabResult | None:
    found = [lab for lab in case.series(test) if start < lab.date <= on]
    return found[-1] if found else None


def unit_of(kb: KnowledgeBase, marker: Marker) -> str:
    test = {
        Marker.SERUM_M_PROTEIN: LabTest.SERUM_M_PROTEIN,
        Marker.URINE_M_PROTEIN: LabTest.URINE_M_PROTEIN,
        Marker.DFLC: LabTest.KAPPA_FLC,
        Marker.MARROW_PLASMA_CELLS: LabTest.MARROW_PLASMA_CELLS,
    }[marker]
    return kb.get(LabsKnowledge).tests[test].canonical_unit or ""


def value_words(kb: KnowledgeBase, marker: Marker, point: Point) -> str:
    return f"{format_number(point.value)} {unit_of(kb, marker)} ({point.date})"


def flc_ratio(kappa: float, lambda_: float) -> float | None:
    if lambda_ == 0:
        return None if kappa == 0 else math.inf
    return kappa / lambda_


def flc_pairs(case: Case) -> dict[dt.date, tuple[float, float]]:
    kappa = {p.date: p.value for p in points_of(case.series(LabTest.KAPPA_FLC))}
    lambda_ = {p.date: p.value for p in points_of(case.series(LabTest.LAMBDA_FLC))}
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
    ratio = flc_ratio(*baseline_pair)
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
    ratio = flc_ratio(kappa, lambda_)
    if ratio is None:
        return False
    level = kappa if involved is LightChain.KAPPA else lambda_
    abnormal = (
        ratio > imwg.flc_ratio_normal.high
        if involved is LightChain.KAPPA
        else ratio < imwg.flc_ratio_normal.low
    )
    return abnormal and at_least(level, imwg.measurable_disease.involved_flc_min_mg_dl)


def _measurable(
    baseline: dict[Marker, Point],
    baseline_pair: tuple[float, float] | None,
    involved: LightChain | None,
    imwg: ImwgCriteria,
) -> tuple[Marker, ...]:
    """The markers measurable at baseline: serum, urine M-protein, dFLC (in that order)."""
    rule = imwg.measurable_disease
    serum = baseline.get(Marker.SERUM_M_PROTEIN)
    urine = baseline.get(Marker.URINE_M_PROTEIN)
    found = (
        (
            Marker.SERUM_M_PROTEIN,
            serum is not None and at_least(serum.value, rule.serum_m_protein_min_g_dl),
        ),
        (
            Marker.URINE_M_PROTEIN,
            urine is not None and at_least(urine.value, rule.urine_m_protein_min_mg_24h),
        ),
        (Marker.DFLC, baseline_pair is not None and _flc_measurable(baseline_pair, involved, imwg)),
    )
    return tuple(marker for marker, yes in found if yes)


def _response_path(
    baseline: dict[Marker, Point],
    measurable: tuple[Marker, ...],
    baseline_pair: tuple[float, float] | None,
    imwg: ImwgCriteria,
) -> tuple[ResponsePath | None, tuple[Marker, ...], list[Need]]:
    """The response path, the markers it applies, and the baseline results still missing."""
    measurable_rule = imwg.measurable_disease
    needs: list[Need] = []
    if Marker.SERUM_M_PROTEIN not in baseline:
        needs.append(Need(NeedKind.BASELINE_SERUM_M_PROTEIN, (measurable_rule,)))
    if Marker.URINE_M_PROTEIN not in baseline:
        needs.append(Need(NeedKind.BASELINE_URINE_M_PROTEIN, (measurable_rule, imwg.partial)))
    m_protein = tuple(m for m in measurable if m is not Marker.DFLC)
    if m_protein:
        return ResponsePath.M_PROTEIN, m_protein, needs
    if needs:  # serum or urine unknown: whether M-protein is measurable is undecided
        return None, (), needs
    if baseline_pair is None:
        needs.append(Need(NeedKind.BASELINE_FLC, (measurable_rule, imwg.partial)))
        return None, (), needs
    if Marker.DFLC in measurable:
        return ResponsePath.FLC, (Marker.DFLC,), needs
    marrow = baseline.get(Marker.MARROW_PLASMA_CELLS)
    if marrow is None:
        needs.append(Need(NeedKind.BASELINE_MARROW, (imwg.partial,)))
    elif at_least(marrow.value, imwg.partial.marrow_baseline_min_pct):
        return ResponsePath.MARROW, (Marker.MARROW_PLASMA_CELLS,), needs
    return None, (), needs


def decide_disease(case: Case, kb: KnowledgeBase, start: dt.date) -> Disease:
    """The course's disease at baseline: markers, measurability, response path, what is missing."""
    imwg = kb.get(ResponseKnowledge).imwg
    series = {
        Marker.SERUM_M_PROTEIN: points_of(case.series(LabTest.SERUM_M_PROTEIN)),
        Marker.URINE_M_PROTEIN: points_of(case.series(LabTest.URINE_M_PROTEIN)),
        Marker.MARROW_PLASMA_CELLS: points_of(case.series(LabTest.MARROW_PLASMA_CELLS)),
    }
    pairs = flc_pairs(case)
    baseline_days = [day for day in pairs if day <= start]
    baseline_pair = pairs[baseline_days[-1]] if baseline_days else None
    involved, inferred = _involved_chain(case, imwg, baseline_pair)
    if involved is not None:
        series[Marker.DFLC] = [Point(day, _dflc(pair, involved)) for day, pair in pairs.items()]
    baseline = {
        marker: point
        for marker, points in series.items()
        if (point := baseline_point(points, start)) is not None
    }
    measurable = _measurable(baseline, baseline_pair, involved, imwg)
    path, applied, needs = _response_path(baseline, measurable, baseline_pair, imwg)
    serum_urine_not_measurable = (
        Marker.SERUM_M_PROTEIN in baseline
        and Marker.URINE_M_PROTEIN in baseline
        and Marker.SERUM_M_PROTEIN not in measurable
        and Marker.URINE_M_PROTEIN not in measurable
    )
    return Disease(
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
        and Marker.DFLC not in measurable,
        baseline_needs=tuple(needs),
        baseline_ratio=None if baseline_pair is None else flc_ratio(*baseline_pair),
    )


def imaging_of(case: Case) -> list[DiseaseImaging]:
    return [] if case.myeloma is None else sorted(case.myeloma.imaging, key=lambda i: i.date)
