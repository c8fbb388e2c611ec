"""The IMWG decisions without their wording: `decide_disease` (baseline, measurable disease,
response path, missing baseline) and `decide_imwg` (the course's response).

Expected values from the facts file §9 (IMWG, Kumar et al. 2016): measurable disease is serum
M-protein ≥ 1 g/dL, urine ≥ 200 mg/24h, or an involved FLC ≥ 10 mg/dL with an abnormal ratio;
marrow carries PR only from a baseline of ≥ 30%; PR is a 50% serum fall, VGPR 90% (urine
< 100 mg/24h); CR needs negative immunofixations and marrow < 5%; progression needs two
consecutive assessments ≥ 25% and ≥ 0.5 g/dL above the lowest confirmed value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.response import ResponseKnowledge
from lenaguard.rules.response.imwg import ImwgDecision, ImwgOutcome, decide_imwg
from lenaguard.rules.response.imwg_grade import (
    ImagingForCr,
    Immunofixation,
    ImwgCategory,
    MarkerLevel,
    MarrowForCr,
    VgprComponent,
)
from lenaguard.rules.response.imwg_markers import (
    Marker,
    NeedKind,
    Point,
    ResponsePath,
    decide_disease,
)
from lenaguard.vocab import LabTest, LightChain
from tests.factories import lab, make_case

KB = default_knowledge()
IMWG = KB.get(ResponseKnowledge).imwg
START = dt.date(2026, 6, 1)
BASE = "2026-05-28"
VISITS = ["2026-07-01", "2026-08-01", "2026-09-01"]


def serum(value: float, date: str = BASE) -> dict[str, Any]:
    return lab("serum_m_protein", value, "g/dL", date=date)


def urine(value: float, date: str = BASE) -> dict[str, Any]:
    return lab("urine_m_protein", value, "mg/24h", date=date)


def flc(kappa: float, lambda_: float, date: str = BASE) -> list[dict[str, Any]]:
    return [
        lab("kappa_flc", kappa, "mg/dL", date=date),
        lab("lambda_flc", lambda_, "mg/dL", date=date),
    ]


def marrow(value: float, date: str = BASE) -> dict[str, Any]:
    return lab("marrow_plasma_cells", value, "%", date=date)


def ife(test: str, result: str, date: str) -> dict[str, Any]:
    return lab(test, result=result, date=date)


def mm_case(labs: list[dict[str, Any]], light_chain: str | None = "kappa", **overrides: Any):
    myeloma: dict[str, Any] = {"heavy_chain": "igg"}
    if light_chain is not None:
        myeloma["light_chain"] = light_chain
    data: dict[str, Any] = {
        "therapy": {"events": [{"date": START.isoformat(), "event": "start", "dose_mg": 25}]},
        "myeloma": myeloma,
        "labs": labs,
    }
    data.update(overrides)
    return make_case(**data)


def decide(labs: list[dict[str, Any]], **overrides: Any) -> ImwgDecision:
    decision = decide_imwg(mm_case(labs, **overrides), KB)
    assert decision is not None
    return decision


def kinds(needs) -> list[NeedKind]:
    return [need.kind for need in needs]


# --- decide_disease ----------------------------------------------------------------------------


def test_measurable_serum_makes_the_m_protein_path():
    disease = decide_disease(mm_case([serum(1.0), urine(150)]), KB, START)
    assert disease.measurable == (Marker.SERUM_M_PROTEIN,)
    assert disease.path is ResponsePath.M_PROTEIN
    assert disease.applied == (Marker.SERUM_M_PROTEIN,)
    assert disease.baseline[Marker.URINE_M_PROTEIN] == Point(dt.date(2026, 5, 28), 150)
    assert disease.baseline_needs == ()


def test_serum_and_urine_both_measurable_both_carry_the_response():
    disease = decide_disease(mm_case([serum(2.0), urine(200)]), KB, START)
    assert disease.applied == (Marker.SERUM_M_PROTEIN, Marker.URINE_M_PROTEIN)


def test_missing_baseline_urine_is_a_typed_need_and_the_path_stays_m_protein():
    disease = decide_disease(mm_case([serum(2.0)]), KB, START)
    assert disease.path is ResponsePath.M_PROTEIN
    assert kinds(disease.baseline_needs) == [NeedKind.BASELINE_URINE_M_PROTEIN]
    assert disease.baseline_needs[0].slug == "baseline_urine_m_protein"
    assert disease.baseline_needs[0].entries == (IMWG.measurable_disease, IMWG.partial)


def test_no_baseline_at_all_needs_serum_and_urine_and_decides_no_path():
    disease = decide_disease(mm_case([]), KB, START)
    assert disease.path is None
    assert kinds(disease.baseline_needs) == [
        NeedKind.BASELINE_SERUM_M_PROTEIN,
        NeedKind.BASELINE_URINE_M_PROTEIN,
    ]


def test_m_protein_not_measurable_falls_to_the_free_light_chains():
    disease = decide_disease(mm_case([serum(0.3), urine(50), *flc(50, 1)]), KB, START)
    assert disease.serum_urine_not_measurable
    assert disease.measurable == (Marker.DFLC,)
    assert (disease.path, disease.applied) == (ResponsePath.FLC, (Marker.DFLC,))
    assert disease.baseline[Marker.DFLC].value == 49


def test_without_free_light_chains_they_are_needed():
    disease = decide_disease(mm_case([serum(0.3), urine(50)]), KB, START)
    assert disease.path is None
    assert kinds(disease.baseline_needs) == [NeedKind.BASELINE_FLC]


def test_flc_not_measurable_falls_to_the_marrow_from_30_percent():
    labs = [serum(0.3), urine(50), *flc(1.2, 1.0)]
    assert kinds(decide_disease(mm_case(labs), KB, START).baseline_needs) == [
        NeedKind.BASELINE_MARROW
    ]
    marrow_path = decide_disease(mm_case([*labs, marrow(30)]), KB, START)
    assert marrow_path.flc_not_measurable
    assert marrow_path.path is ResponsePath.MARROW
    too_low = decide_disease(mm_case([*labs, marrow(29)]), KB, START)
    assert (too_low.path, too_low.baseline_needs) == (None, ())


def test_the_involved_chain_is_inferred_from_an_abnormal_baseline_ratio():
    disease = decide_disease(mm_case([serum(2.0), urine(0), *flc(1, 50)], None), KB, START)
    assert (disease.involved, disease.involved_inferred) == (LightChain.LAMBDA, True)
    assert disease.baseline_ratio == 1 / 50


# --- decide_imwg -------------------------------------------------------------------------------


def test_no_decision_before_the_start():
    assert decide_imwg(make_case(), KB) is None


def test_partial_response_graded_with_its_basis():
    decision = decide([serum(2.0), urine(0), serum(1.0, VISITS[0])])
    assert decision.outcome is ImwgOutcome.GRADED
    assert decision.category is ImwgCategory.PR
    assert decision.date == dt.date(2026, 7, 1)
    assert decision.confirmed is False  # one assessment
    (level,) = [item for item in decision.basis if isinstance(item, MarkerLevel)]
    assert (level.marker, level.level, level.fall_pct) == (
        Marker.SERUM_M_PROTEIN,
        ImwgCategory.PR,
        50,
    )
    assert IMWG.partial in decision.entries


def test_a_category_shown_twice_is_confirmed():
    decision = decide([serum(2.0), urine(0), serum(1.0, VISITS[0]), serum(0.9, VISITS[1])])
    assert (decision.category, decision.confirmed) == (ImwgCategory.PR, True)


def test_stable_disease_is_never_called_confirmed():
    decision = decide([serum(2.0), urine(0), serum(1.9, VISITS[0])])
    assert (decision.category, decision.confirmed) == (ImwgCategory.SD, None)


def test_vgpr_needs_the_urine_part_of_an_unmeasurable_component():
    decision = decide([serum(2.0), urine(150), serum(0.1, VISITS[0]), urine(100, VISITS[0])])
    assert decision.category is ImwgCategory.PR
    (part,) = [item for item in decision.basis if isinstance(item, VgprComponent)]
    assert (part.marker, part.met, part.baseline_value) == (Marker.URINE_M_PROTEIN, False, False)


def test_complete_response_rests_on_immunofixation_marrow_and_imaging():
    labs = [
        serum(2.0),
        urine(0),
        serum(0, VISITS[0]),
        serum(0, VISITS[1]),
        urine(0, VISITS[1]),
        ife("serum_ife", "negative", VISITS[1]),
        ife("urine_ife", "negative", VISITS[1]),
        marrow(3, VISITS[1]),
    ]
    decision = decide(labs)
    assert decision.category is ImwgCategory.CR
    fixations = [item for item in decision.basis if isinstance(item, Immunofixation)]
    assert [(item.test, item.negative) for item in fixations] == [
        (LabTest.SERUM_IFE, True),
        (LabTest.URINE_IFE, True),
    ]
    assert [item.below_limit for item in decision.basis if isinstance(item, MarrowForCr)] == [True]
    assert ImagingForCr(None, False) in decision.basis
    assert decision.latest_flc_ratio is not None and decision.latest_flc_ratio.date is None


def test_missing_cr_data_are_typed_needs_and_keep_vgpr():
    decision = decide([serum(2.0), urine(0), serum(0, VISITS[0]), urine(0, VISITS[0])])
    assert decision.category is ImwgCategory.VGPR
    assert kinds(decision.needs) == [
        NeedKind.IMMUNOFIXATION_FOR_CR,
        NeedKind.IMMUNOFIXATION_FOR_CR,
        NeedKind.MARROW_FOR_CR,
    ]
    assert [need.slug for need in decision.needs][:2] == ["serum_ife_for_cr", "urine_ife_for_cr"]


def test_two_consecutive_qualifying_rises_are_progression():
    decision = decide([serum(2.0), urine(0), serum(2.5, VISITS[0]), serum(2.6, VISITS[1])])
    assert decision.outcome is ImwgOutcome.PROGRESSION
    assert (decision.category, decision.confirmed) == (ImwgCategory.PD, True)
    sign = decision.progression.confirmed_by
    assert sign is not None and sign.marker is Marker.SERUM_M_PROTEIN
    assert (sign.nadir, sign.consecutive) == (Point(dt.date(2026, 5, 28), 2.0), 2)
    assert decision.date == dt.date(2026, 8, 1)


def test_one_qualifying_rise_is_possible_progression_only():
    decision = decide([serum(2.0), urine(0), serum(2.5, VISITS[0])])
    assert decision.outcome is ImwgOutcome.GRADED
    (sign,) = decision.progression.possible
    assert (sign.marker, sign.date, sign.consecutive) == (
        Marker.SERUM_M_PROTEIN,
        dt.date(2026, 7, 1),
        1,
    )


def test_not_measurable_and_path_undecided_are_told_apart():
    labs = [serum(0.3), urine(50), *flc(1.2, 1.0), marrow(10)]
    assert decide(labs).outcome is ImwgOutcome.NOT_MEASURABLE
    undecided = decide([])
    assert undecided.outcome is ImwgOutcome.PATH_UNDECIDED
    assert undecided.category is None
    assert kinds(undecided.needs) == [
        NeedKind.BASELINE_SERUM_M_PROTEIN,
        NeedKind.BASELINE_URINE_M_PROTEIN,
    ]


def test_a_missing_baseline_component_leaves_a_provisional_category():
    decision = decide([serum(2.0), serum(1.0, VISITS[0])])
    assert decision.outcome is ImwgOutcome.BASELINE_INCOMPLETE
    assert decision.category is ImwgCategory.PR  # on the serum alone
    assert (decision.date, decision.confirmed) == (None, None)
    assert kinds(decision.needs) == [NeedKind.BASELINE_URINE_M_PROTEIN]


def test_no_result_after_the_start_is_not_graded_and_needs_it():
    decision = decide([serum(2.0), urine(0)])
    assert decision.outcome is ImwgOutcome.NOT_GRADED
    assert decision.category is None
    (need,) = decision.needs
    assert (need.kind, need.marker, need.slug) == (
        NeedKind.AFTER_START,
        Marker.SERUM_M_PROTEIN,
        "serum_m_protein_after_start",
    )
