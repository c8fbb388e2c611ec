"""IMWG response: reading a myeloma case into dated disease markers at a course's baseline.

The markers IMWG response is measured by (serum and urine M-protein, the free light chain
difference dFLC, marrow plasma cells) are read from the case as dated points, one per date.
`read_disease` takes the baseline (the last result on or before the course start), decides which
markers are measurable, and so which markers carry the response (the response path): serum and/or
urine M-protein; otherwise dFLC; otherwise marrow plasma cells. What is missing for that decision
is returned as needs, never filled in.

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


@dataclass(frozen=True)
class Need:
    """Data needed for a response category: finding slug, what and why, entries it rests on."""

    slug: str
    text: str
    entries: tuple[Cited, ...]


@dataclass(frozen=True)
class Disease:
    """Baseline facts of the course: markers, measurability, response path."""

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


def read_disease(case: Case, kb: KnowledgeBase, start: dt.date) -> Disease:
    imwg = kb.get(ResponseKnowledge).imwg
    measurable_rule = imwg.measurable_disease
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
    serum = baseline.get(Marker.SERUM_M_PROTEIN)
    urine = baseline.get(Marker.URINE_M_PROTEIN)
    serum_measurable = serum is not None and at_least(
        serum.value, measurable_rule.serum_m_protein_min_g_dl
    )
    urine_measurable = urine is not None and at_least(
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
    needs: list[Need] = []
    if serum is None:
        needs.append(
            Need(
                "baseline_serum_m_protein",
                f"serum M-protein (electrophoresis) on or before the course start ({start}): it "
                "decides whether serum disease is measurable and is the reference for every "
                "response category",
                (measurable_rule,),
            )
        )
    if urine is None:
        needs.append(
            Need(
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
                Need(
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
                    Need(
                        "baseline_marrow",
                        f"marrow plasma cell percentage on or before {start}: neither M-protein "
                        "nor free light chains are measurable, so only the marrow can carry a "
                        "partial response",
                        (imwg.partial,),
                    )
                )
            elif at_least(marrow.value, imwg.partial.marrow_baseline_min_pct):
                path, applied = ResponsePath.MARROW, (Marker.MARROW_PLASMA_CELLS,)
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
        and not flc_measurable,
        baseline_needs=tuple(needs),
        baseline_ratio=None if baseline_pair is None else flc_ratio(*baseline_pair),
    )


def imaging_of(case: Case) -> list[DiseaseImaging]:
    return [] if case.myeloma is None else sorted(case.myeloma.imaging, key=lambda i: i.date)
