"""IMWG response in words: the needs, the observations and the progression signs, for people.

The IMWG decisions (`imwg_markers`, `imwg_grade`, `imwg_progression`) are typed and hold no
prose; these functions word them for the response's basis, its `needed` list and its findings,
with the thresholds read from the knowledge base.
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.response import ImwgCriteria, ResponseKnowledge
from lenaguard.rules.response.imwg_grade import (
    ImagingForCr,
    Immunofixation,
    MarkerLevel,
    MarrowForCr,
    NotResponseMarker,
    Observation,
    PlasmacytomaShrink,
    VgprComponent,
)
from lenaguard.rules.response.imwg_markers import Marker, Need, NeedKind, unit_of, value_words
from lenaguard.rules.response.imwg_progression import ProgressionSign
from lenaguard.text import format_number
from lenaguard.vocab import LabTest

_IMMUNOFIXATION_WORDS = {
    LabTest.SERUM_IFE: "serum immunofixation",
    LabTest.URINE_IFE: "urine immunofixation",
}


def _vgpr_condition_words(imwg: ImwgCriteria, marker: Marker, kb: KnowledgeBase) -> str:
    if marker is Marker.URINE_M_PROTEIN:
        limit = format_number(imwg.very_good_partial.urine_below_mg_24h)
        return f"below {limit} {unit_of(kb, marker)}"
    fall = format_number(imwg.very_good_partial.serum_fall_min_pct)
    return f"down by {fall}% or more, or no longer seen on electrophoresis"


# --- needs -------------------------------------------------------------------------------------


def _baseline_need_text(kind: NeedKind, start: dt.date) -> str:
    return {
        NeedKind.BASELINE_SERUM_M_PROTEIN: (
            f"serum M-protein (electrophoresis) on or before the course start ({start}): it "
            "decides whether serum disease is measurable and is the reference for every "
            "response category"
        ),
        NeedKind.BASELINE_URINE_M_PROTEIN: (
            f"urine M-protein (24h collection, electrophoresis) on or before {start}: it "
            "decides whether urine disease is measurable and is needed to judge the urine "
            "part of PR and VGPR"
        ),
        NeedKind.BASELINE_FLC: (
            f"serum free light chains (kappa and lambda, same day) on or before {start}: "
            "serum and urine M-protein are not measurable, so the free light chains may "
            "carry the response"
        ),
        NeedKind.BASELINE_MARROW: (
            f"marrow plasma cell percentage on or before {start}: neither M-protein "
            "nor free light chains are measurable, so only the marrow can carry a "
            "partial response"
        ),
    }[kind]


def need_text(need: Need, start: dt.date, kb: KnowledgeBase) -> str:
    """What is needed and why, for a course started on `start`."""
    imwg = kb.get(ResponseKnowledge).imwg
    marker, point = need.marker, need.point
    if need.kind is NeedKind.AFTER_START and marker is not None:
        return (
            f"{marker.words} after the course start ({start}): it was measurable "
            "at baseline, so every response category needs it"
        )
    if need.kind is NeedKind.FOR_VGPR and marker is not None and point is not None:
        return (
            f"{marker.words} after the course start: not measurable at baseline "
            f"({value_words(kb, marker, point)}), but VGPR needs it "
            f"{_vgpr_condition_words(imwg, marker, kb)}"
        )
    if need.kind is NeedKind.IMAGING_AFTER_START and point is not None:
        return (
            f"imaging after the course start: plasmacytomas at baseline "
            f"({format_number(point.value)} cm², {point.date}) must shrink by at least "
            f"{format_number(imwg.partial.plasmacytoma_shrink_min_pct)}% for PR or better"
        )
    if need.kind is NeedKind.IMMUNOFIXATION_FOR_CR and need.test is not None:
        return f"{_IMMUNOFIXATION_WORDS[need.test]} after the course start (for CR)"
    if need.kind is NeedKind.MARROW_FOR_CR:
        limit = format_number(imwg.complete.marrow_plasma_cells_below_pct)
        return f"marrow plasma cell percentage after the course start (CR needs below {limit}%)"
    if need.kind is NeedKind.IMAGING_FOR_CR:
        return "imaging after the course start showing the baseline plasmacytomas gone (for CR)"
    return _baseline_need_text(need.kind, start)


# --- observations ------------------------------------------------------------------------------


def _marker_words(observation: Observation, kb: KnowledgeBase) -> str | None:
    """Words of the observations about the response markers; None for the others."""
    imwg = kb.get(ResponseKnowledge).imwg
    if isinstance(observation, NotResponseMarker):
        marker = observation.marker
        return (
            f"{marker.words} {value_words(kb, marker, observation.baseline)} at baseline: not "
            f"measurable, so not a response marker (VGPR still needs it "
            f"{_vgpr_condition_words(imwg, marker, kb)})"
        )
    if isinstance(observation, MarkerLevel):
        marker, fall = observation.marker, observation.fall_pct
        change = "a rise" if fall < 0 else "a fall"
        return (
            f"{marker.words} {value_words(kb, marker, observation.baseline)} → "
            f"{value_words(kb, marker, observation.current)}: {change} of "
            f"{format_number(round(abs(fall), 1))}% ({observation.level.value} level)"
        )
    if isinstance(observation, VgprComponent):
        marker = observation.marker
        condition = _vgpr_condition_words(imwg, marker, kb)
        shown = value_words(kb, marker, observation.latest)
        when = (
            " (the baseline value: no result after the course start)"
            if observation.baseline_value
            else ""
        )
        if observation.met:
            return f"{marker.words} {shown}{when}: {condition}, as VGPR requires"
        return f"{marker.words} {shown}{when}: not {condition}, so not VGPR (PR level)"
    return None


def observation_words(observation: Observation, kb: KnowledgeBase) -> str:
    """One line of the response's basis."""
    marker_words = _marker_words(observation, kb)
    if marker_words is not None:
        return marker_words
    imwg = kb.get(ResponseKnowledge).imwg
    if isinstance(observation, PlasmacytomaShrink):
        base, latest = observation.baseline, observation.latest
        shrink_min = format_number(imwg.partial.plasmacytoma_shrink_min_pct)
        return (
            f"plasmacytoma size {format_number(base.value)} cm² ({base.date}) → "
            f"{format_number(latest.value)} cm² ({latest.date}): "
            f"{format_number(round(observation.shrink_pct, 1))}% smaller "
            f"({'meets' if observation.met else 'short of'} the {shrink_min}% PR requirement)"
        )
    if isinstance(observation, Immunofixation):
        words = _IMMUNOFIXATION_WORDS[observation.test]
        if observation.negative:
            return f"{words} negative ({observation.date})"
        return f"{words} positive ({observation.date}): not CR"
    if isinstance(observation, MarrowForCr):
        point = observation.point
        shown = f"marrow plasma cells {format_number(point.value)}% ({point.date})"
        if observation.below_limit:
            return shown
        limit = format_number(imwg.complete.marrow_plasma_cells_below_pct)
        return f"{shown}: not below {limit}%, not CR"
    assert isinstance(observation, ImagingForCr)
    if observation.date is None:
        return "no imaging recorded: no soft-tissue plasmacytoma known (CR assumes none)"
    if observation.plasmacytoma_seen:
        return f"plasmacytoma still seen on imaging ({observation.date}): not CR"
    return f"no soft-tissue plasmacytoma on imaging ({observation.date})"


# --- progression -------------------------------------------------------------------------------


def progression_words(sign: ProgressionSign, kb: KnowledgeBase) -> str:
    """A sign that confirms progression."""
    marker = sign.marker
    if marker is None or sign.point is None or sign.nadir is None:
        return (
            f"new bone lesions or plasmacytomas on {format_number(sign.consecutive)} "
            f"consecutive imaging assessments (latest {sign.date})"
        )
    return (
        f"{marker.words} rose from the lowest confirmed value "
        f"{value_words(kb, marker, sign.nadir)} to "
        f"{value_words(kb, marker, sign.point)}, on {format_number(sign.consecutive)} "
        "consecutive qualifying assessments"
    )


def possible_progression_words(sign: ProgressionSign, kb: KnowledgeBase) -> str:
    """A qualifying assessment that still needs confirming."""
    marker = sign.marker
    if marker is None or sign.point is None or sign.nadir is None:
        return f"new bone lesions or plasmacytomas on imaging ({sign.date})"
    rise = format_number(kb.get(ResponseKnowledge).imwg.progressive.rise_min_pct)
    return (
        f"{marker.words} {value_words(kb, marker, sign.point)} is at least "
        f"{rise}% above the lowest confirmed "
        f"value {value_words(kb, marker, sign.nadir)}"
    )
