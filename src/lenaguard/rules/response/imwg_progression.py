"""IMWG progressive disease: rises from the lowest confirmed value, on consecutive assessments.

Progression is judged per marker against the lowest confirmed value: the baseline, or a level
held on two consecutive assessments (the higher of the pair). A rise qualifies when it meets the
percentage and absolute limits of that marker; progression needs the number of consecutive
qualifying assessments the knowledge base gives. New bone lesions or plasmacytomas on imaging
follow the same consecutive rule. A single qualifying rise is returned as possible progression.
The result is typed (`ProgressionSign`); `imwg_words` words it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from lenaguard.case import Case
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.response import (
    PERCENT,
    ImwgCriteria,
    ResponseKnowledge,
    scaled,
)
from lenaguard.rules.response.imwg_markers import (
    Disease,
    Marker,
    Point,
    above,
    at_least,
    imaging_of,
    points_after,
)


@dataclass(frozen=True)
class Rise:
    point: Point
    nadir: Point | None
    qualifies: bool


def pair_level(first: Point, second: Point) -> Point:
    """The level held on two consecutive assessments: the higher value, dated when confirmed."""
    return Point(second.date, max(first.value, second.value))


def confirmed_nadir(baseline: Point | None, post: list[Point]) -> Point | None:
    candidates = [baseline] if baseline is not None else []
    candidates += [pair_level(a, b) for a, b in zip(post, post[1:], strict=False)]
    return min(candidates, key=lambda p: p.value) if candidates else None


def progression_test(marker: Marker, imwg: ImwgCriteria) -> Callable[[float, float], bool]:
    rule = imwg.progressive

    def qualifies(nadir: float, value: float) -> bool:
        rise = value - nadir
        if rise <= 0:
            return False
        if marker is Marker.SERUM_M_PROTEIN and at_least(nadir, rule.high_nadir_g_dl):
            # From a high nadir the absolute rise is enough on its own: a percentage rise
            # would already exceed it, so only this reading gives the clause an effect.
            return at_least(rise, rule.serum_rise_min_high_nadir_g_dl)
        if not at_least(value, scaled(nadir, PERCENT + rule.rise_min_pct)):
            return False
        if marker is Marker.SERUM_M_PROTEIN:
            return at_least(rise, rule.serum_rise_min_g_dl)
        if marker is Marker.URINE_M_PROTEIN:
            return at_least(rise, rule.urine_rise_min_mg_24h)
        if marker is Marker.DFLC:
            return above(rise, rule.dflc_rise_above_mg_dl)
        return at_least(rise, rule.marrow_rise_min_pct)

    return qualifies


def judge_rises(disease: Disease, marker: Marker, imwg: ImwgCriteria) -> list[Rise]:
    """Each assessment after the start, judged against the lowest confirmed value before it."""
    post = points_after(disease.series.get(marker, []), disease.start, disease.as_of)
    base = disease.baseline.get(marker)
    test = progression_test(marker, imwg)
    rises = []
    for index, point in enumerate(post):
        nadir = confirmed_nadir(base, post[:index])
        qualifies = nadir is not None and test(nadir.value, point.value)
        rises.append(Rise(point, nadir, qualifies))
    return rises


def progression_markers(disease: Disease) -> list[Marker]:
    markers = [Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN]
    if disease.serum_urine_not_measurable and Marker.DFLC in disease.series:
        markers.append(Marker.DFLC)
    if disease.flc_not_measurable:
        markers.append(Marker.MARROW_PLASMA_CELLS)
    return markers


@dataclass(frozen=True)
class ProgressionSign:
    """A qualifying rise of a marker from its lowest confirmed value, or new lesions on imaging."""

    date: dt.date
    marker: Marker | None = None
    """None: new bone lesions or plasmacytomas on imaging."""
    point: Point | None = None
    nadir: Point | None = None
    consecutive: int = 1
    """Consecutive qualifying assessments up to `date`."""


@dataclass(frozen=True)
class Progression:
    """Progressive disease as the case shows it: the confirming sign, possible signs, nadirs."""

    confirmed_by: ProgressionSign | None = None
    """The earliest sign that confirms progression."""
    possible: tuple[ProgressionSign, ...] = ()
    """Latest assessments that qualify but are not yet confirmed."""
    nadirs: dict[Marker, Point] = field(default_factory=dict)
    serum_latest_rises: bool = False

    @property
    def confirmed_on(self) -> dt.date | None:
        return None if self.confirmed_by is None else self.confirmed_by.date


def find_progression(case: Case, disease: Disease, kb: KnowledgeBase) -> Progression:
    """Progression from the markers' lowest confirmed values and from new lesions on imaging."""
    imwg = kb.get(ResponseKnowledge).imwg
    needed = imwg.progressive.consecutive_assessments
    confirming: list[ProgressionSign] = []
    possible: list[ProgressionSign] = []
    nadirs: dict[Marker, Point] = {}
    serum_latest_rises = False
    for marker in progression_markers(disease):
        rises = judge_rises(disease, marker, imwg)
        post = [rise.point for rise in rises]
        nadir = confirmed_nadir(disease.baseline.get(marker), post)
        if nadir is not None:
            nadirs[marker] = nadir
        run = 0
        for rise in rises:
            run = run + 1 if rise.qualifies else 0
            if run >= needed and rise.nadir is not None:
                confirming.append(
                    ProgressionSign(rise.point.date, marker, rise.point, rise.nadir, run)
                )
                break
        if rises and rises[-1].qualifies and rises[-1].nadir is not None:
            if marker is Marker.SERUM_M_PROTEIN:
                serum_latest_rises = True
            if run < needed:
                last = rises[-1]
                possible.append(
                    ProgressionSign(last.point.date, marker, last.point, last.nadir, run)
                )
    scans = [item for item in imaging_of(case) if disease.start < item.date <= disease.as_of]
    run = 0
    for scan in scans:
        run = run + 1 if scan.new_lesions else 0
        if run >= needed:
            confirming.append(ProgressionSign(scan.date, consecutive=run))
            break
    if scans and scans[-1].new_lesions and run < needed:
        possible.append(ProgressionSign(scans[-1].date, consecutive=run))
    return Progression(
        confirmed_by=min(confirming, key=lambda sign: sign.date, default=None),
        possible=tuple(possible),
        nadirs=nadirs,
        serum_latest_rises=serum_latest_rises,
    )
