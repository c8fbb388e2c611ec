"""IMWG progressive disease: rises from the lowest confirmed value, on consecutive assessments.

Progression is judged per marker against the lowest confirmed value: the baseline, or a level
held on two consecutive assessments (the higher of the pair). A rise qualifies when it meets the
percentage and absolute limits of that marker; progression needs the number of consecutive
qualifying assessments the knowledge base gives. New bone lesions or plasmacytomas on imaging
follow the same consecutive rule. A single qualifying rise is returned as possible progression.
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
    value_words,
)
from lenaguard.text import format_number


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


@dataclass
class Progression:
    confirmed_on: dt.date | None = None
    basis: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    nadirs: dict[Marker, Point] = field(default_factory=dict)
    serum_latest_rises: bool = False


def find_progression(case: Case, disease: Disease, kb: KnowledgeBase) -> Progression:
    imwg = kb.get(ResponseKnowledge).imwg
    needed = imwg.progressive.consecutive_assessments
    found = Progression()
    for marker in progression_markers(disease):
        rises = judge_rises(disease, marker, imwg)
        post = [rise.point for rise in rises]
        nadir = confirmed_nadir(disease.baseline.get(marker), post)
        if nadir is not None:
            found.nadirs[marker] = nadir
        run = 0
        for rise in rises:
            run = run + 1 if rise.qualifies else 0
            if run >= needed and rise.nadir is not None:
                words = (
                    f"{marker.words} rose from the lowest confirmed value "
                    f"{value_words(kb, marker, rise.nadir)} to "
                    f"{value_words(kb, marker, rise.point)}, on {format_number(run)} "
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
                    f"{marker.words} {value_words(kb, marker, rises[-1].point)} is at least "
                    f"{format_number(imwg.progressive.rise_min_pct)}% above the lowest confirmed "
                    f"value {value_words(kb, marker, rises[-1].nadir)}"
                )
    scans = [item for item in imaging_of(case) if disease.start < item.date <= disease.as_of]
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
