"""IMWG myeloma response (facts §9, §11 items 8–9): categories at their thresholds, progression
confirmation, FLC-only and marrow-only disease, measurable disease, and the polyclonal IgA rise.

Expected values are the facts file's: PR ≥ 50% serum fall, VGPR ≥ 90%, MR 25–49%; urine
< 100 (VGPR), ≥ 90% or < 200 mg/24h (PR), 50–89% (MR); PD ≥ 25% from the lowest confirmed
value with ≥ 0.5 g/dL (≥ 1 g/dL from a nadir ≥ 5 g/dL), urine ≥ 200 mg/24h, dFLC > 10 mg/dL,
marrow ≥ 10 points; measurable: serum ≥ 1 g/dL, urine ≥ 200 mg/24h, involved FLC ≥ 10 mg/dL with
an abnormal ratio; CR marrow < 5%.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.caseio import load_case
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.response import imwg as response
from lenaguard.rules.response.imwg import ImwgCategory, Marker, ResponseOutcome, ResponsePath
from tests.factories import lab, make_case, one_per_test_and_day

KB = default_knowledge()
START = "2026-06-01"
BASE = "2026-05-28"
VISITS = ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]


def serum(value: float, date: str) -> dict[str, Any]:
    return lab("serum_m_protein", value, "g/dL", date=date)


def urine(value: float, date: str) -> dict[str, Any]:
    return lab("urine_m_protein", value, "mg/24h", date=date)


def kappa(value: float, date: str) -> dict[str, Any]:
    return lab("kappa_flc", value, "mg/dL", date=date)


def lambda_(value: float, date: str) -> dict[str, Any]:
    return lab("lambda_flc", value, "mg/dL", date=date)


def marrow(value: float, date: str) -> dict[str, Any]:
    return lab("marrow_plasma_cells", value, "%", date=date)


def ife(test: str, result: str, date: str) -> dict[str, Any]:
    return lab(test, result=result, date=date)


def mm_case(labs: list[dict[str, Any]], **overrides: Any):
    data: dict[str, Any] = {
        "therapy": {"events": [{"date": START, "event": "start", "dose_mg": 25}]},
        "myeloma": {"heavy_chain": "igg", "light_chain": "kappa"},
        "labs": labs,
    }
    data.update(overrides)
    return make_case(**data)


def evaluate(case) -> ResponseOutcome:
    return response.evaluate(case, KB)


def ids(outcome: ResponseOutcome) -> set[str]:
    return {finding.id for finding in outcome.findings}


def serum_only(*values: float) -> list[dict[str, Any]]:
    """Serum M-protein 2.0 g/dL at baseline (urine 0: known, not measurable), then `values`."""
    labs = [serum(2.0, BASE), urine(0, BASE)]
    labs += [serum(value, VISITS[i]) for i, value in enumerate(values)]
    return labs


def urine_only(baseline: float, *values: float, serum_base: float = 0) -> list[dict[str, Any]]:
    """Urine-only measurable disease: no serum M-spike (0 g/dL) unless `serum_base` is given."""
    labs = [serum(serum_base, BASE), urine(baseline, BASE)]
    labs += [urine(value, VISITS[i]) for i, value in enumerate(values)]
    return labs


def category(labs: list[dict[str, Any]], **overrides: Any) -> ImwgCategory | None:
    imwg = evaluate(mm_case(labs, **overrides)).imwg
    assert imwg is not None
    return imwg.category


# --- serum M-protein thresholds --------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (1.0, ImwgCategory.PR),  # 50% fall
        (1.02, ImwgCategory.MR),  # 49% fall
        (0.2, ImwgCategory.VGPR),  # 90% fall
        (0.22, ImwgCategory.PR),  # 89% fall
        (1.5, ImwgCategory.MR),  # 25% fall
        (1.52, ImwgCategory.SD),  # 24% fall
        (0.0, ImwgCategory.VGPR),  # gone on electrophoresis, immunofixation not done
    ],
)
def test_serum_m_protein_fall_thresholds(latest, expected):
    assert category(serum_only(latest, latest)) is expected


def test_partial_response_two_consecutive_is_confirmed_and_names_its_values():
    imwg = evaluate(mm_case(serum_only(0.9, 0.8))).imwg
    assert imwg is not None
    assert imwg.category is ImwgCategory.PR
    assert imwg.confirmed is True
    assert imwg.date == dt.date(2026, 8, 1)
    assert imwg.path is ResponsePath.M_PROTEIN
    assert imwg.measurable == [Marker.SERUM_M_PROTEIN]
    assert imwg.baseline[Marker.SERUM_M_PROTEIN].value == 2.0
    assert any("serum M-protein 2 g/dL" in line and "0.8 g/dL" in line for line in imwg.basis)
    assert imwg.status is Status.SECONDARY


def test_a_single_assessment_is_an_unconfirmed_response():
    outcome = evaluate(mm_case(serum_only(0.9)))
    assert outcome.imwg is not None
    assert outcome.imwg.category is ImwgCategory.PR
    assert outcome.imwg.confirmed is False
    assert "response.imwg_unconfirmed" in ids(outcome)


def test_confirmation_fails_when_the_previous_assessment_was_worse():
    imwg = evaluate(mm_case(serum_only(1.6, 0.9))).imwg  # SD then PR
    assert imwg is not None and imwg.category is ImwgCategory.PR
    assert imwg.confirmed is False


# --- urine M-protein thresholds --------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (1000, 99, ImwgCategory.VGPR),  # below 100 mg/24h
        (1000, 100, ImwgCategory.PR),  # 90% fall, not below 100
        (3000, 300, ImwgCategory.PR),  # 90% fall although still ≥ 200
        (3000, 330, ImwgCategory.MR),  # 89% fall and ≥ 200
        (1000, 199, ImwgCategory.PR),  # below 200 mg/24h
        (1000, 200, ImwgCategory.MR),  # 80% fall, not below 200
        (1000, 500, ImwgCategory.MR),  # 50% fall
        (1000, 510, ImwgCategory.SD),  # 49% fall
    ],
)
def test_urine_m_protein_thresholds(baseline, latest, expected):
    assert category(urine_only(baseline, latest, latest)) is expected


def test_both_measurable_the_lower_component_decides():
    labs = [serum(2.0, BASE), urine(1000, BASE)]
    labs += [serum(0.1, VISITS[0]), urine(400, VISITS[0])]  # serum 95% (VGPR), urine 60% (MR)
    assert category(labs) is ImwgCategory.MR


def test_vgpr_with_both_measurable_needs_urine_below_100():
    labs = [serum(2.0, BASE), urine(1000, BASE), serum(0.1, VISITS[0]), urine(150, VISITS[0])]
    assert category(labs) is ImwgCategory.PR
    labs[-1] = urine(90, VISITS[0])
    assert category(labs) is ImwgCategory.VGPR


def test_vgpr_needs_urine_below_100_even_when_urine_was_not_measurable():
    """Regression: serum-only measurable disease reached VGPR on the serum fall alone, although
    VGPR asks for the urine M-protein below 100 mg/24h (facts §9) whether or not it was
    measurable at baseline (150 mg/24h is below the 200 mg/24h of measurable disease)."""
    labs = [serum(2.0, BASE), urine(150, BASE), serum(0.1, VISITS[0]), urine(100, VISITS[0])]
    outcome = evaluate(mm_case(labs))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.PR
    assert any("not below 100 mg/24h, so not VGPR" in line for line in outcome.imwg.basis)
    labs[-1] = urine(99, VISITS[0])
    assert category(labs) is ImwgCategory.VGPR


def test_vgpr_with_unmeasurable_urine_not_repeated_after_start_asks_for_it():
    labs = [serum(2.0, BASE), urine(150, BASE), serum(0.1, VISITS[0])]
    outcome = evaluate(mm_case(labs))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.PR
    assert "response.imwg_needed_urine_m_protein_for_vgpr" in ids(outcome)


def test_vgpr_accepts_a_baseline_urine_already_below_100():
    # baseline urine 0 mg/24h: the VGPR urine condition holds; the basis says it is the baseline
    outcome = evaluate(mm_case(serum_only(0.1)))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.VGPR
    assert any("the baseline value" in line for line in outcome.imwg.basis)


def test_vgpr_in_urine_only_disease_needs_the_serum_part_too():
    """VGPR asks for serum and urine studies whether or not each was measurable: with a small
    serum M-spike (0.5 g/dL, not measurable), urine < 100 mg/24h alone is not VGPR."""
    labs = urine_only(1000, 99, 99, serum_base=0.5)
    outcome = evaluate(mm_case(labs))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.PR
    assert "response.imwg_needed_serum_m_protein_for_vgpr" in ids(outcome)
    assert category(labs + [serum(0.06, VISITS[1])]) is ImwgCategory.PR  # 88% fall
    assert category(labs + [serum(0.05, VISITS[1])]) is ImwgCategory.VGPR  # 90% fall
    assert category(labs + [serum(0, VISITS[1])]) is ImwgCategory.VGPR  # not seen on SPEP


def test_measurable_urine_without_a_result_after_start_is_not_assessable():
    labs = [serum(2.0, BASE), urine(1000, BASE), serum(0.1, VISITS[0])]
    outcome = evaluate(mm_case(labs))
    assert outcome.imwg is not None and outcome.imwg.category is None
    assert "response.imwg_needed_urine_m_protein_after_start" in ids(outcome)


# --- complete response -----------------------------------------------------------------------


def cr_labs(marrow_pct: float | None = 3, serum_ife: str | None = "negative") -> list[dict]:
    labs = serum_only(0, 0)
    labs.append(urine(0, VISITS[1]))
    if serum_ife is not None:
        labs.append(ife("serum_ife", serum_ife, VISITS[1]))
    labs.append(ife("urine_ife", "negative", VISITS[1]))
    if marrow_pct is not None:
        labs.append(marrow(marrow_pct, VISITS[1]))
    return labs


def test_complete_response_and_stringent_cr_is_never_claimed():
    outcome = evaluate(mm_case(cr_labs(marrow_pct=4.9)))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.CR
    assert "response.imwg_stringent_not_assessable" in ids(outcome)


def test_marrow_plasma_cells_of_5_percent_is_not_cr():
    assert category(cr_labs(marrow_pct=5)) is ImwgCategory.VGPR


def test_cr_missing_data_is_named():
    outcome = evaluate(mm_case(cr_labs(marrow_pct=None, serum_ife=None)))
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.VGPR
    assert {
        "response.imwg_needed_marrow_for_cr",
        "response.imwg_needed_serum_ife_for_cr",
    } <= ids(outcome)


def test_positive_immunofixation_is_not_cr():
    assert category(cr_labs(serum_ife="positive")) is ImwgCategory.VGPR


# --- plasmacytomas ---------------------------------------------------------------------------


def plasmacytoma(post_spd: float | None) -> dict[str, Any]:
    imaging = [{"date": BASE, "plasmacytoma_spd_cm2": 10}]
    if post_spd is not None:
        imaging.append({"date": VISITS[1], "plasmacytoma_spd_cm2": post_spd})
    return {"heavy_chain": "igg", "light_chain": "kappa", "imaging": imaging}


@pytest.mark.parametrize(
    ("post_spd", "expected"),
    [(5, ImwgCategory.PR), (5.1, ImwgCategory.MR), (None, ImwgCategory.MR)],
)
def test_pr_needs_plasmacytomas_shrunk_by_half(post_spd, expected):
    outcome = evaluate(mm_case(serum_only(0.9, 0.9), myeloma=plasmacytoma(post_spd)))
    assert outcome.imwg is not None and outcome.imwg.category is expected
    if post_spd is None:
        assert "response.imwg_needed_imaging_after_start" in ids(outcome)


def test_cr_needs_the_plasmacytoma_gone():
    assert category(cr_labs(), myeloma=plasmacytoma(1)) is ImwgCategory.VGPR
    assert category(cr_labs(), myeloma=plasmacytoma(0)) is ImwgCategory.CR


# --- progression -----------------------------------------------------------------------------


def test_progression_needs_two_consecutive_qualifying_assessments():
    one = evaluate(mm_case(serum_only(2.5)))  # +25%, +0.5 g/dL from the baseline nadir
    assert one.imwg is not None and one.imwg.category is not ImwgCategory.PD
    assert "response.imwg_possible_progression" in ids(one)
    two = evaluate(mm_case(serum_only(2.5, 2.6)))
    assert two.imwg is not None and two.imwg.category is ImwgCategory.PD
    assert two.imwg.date == dt.date(2026, 8, 1)
    assert "response.imwg_progression" in ids(two)


def test_a_rise_between_two_non_qualifying_values_is_not_confirmed():
    outcome = evaluate(mm_case(serum_only(2.5, 2.0, 2.5)))
    assert outcome.imwg is not None and outcome.imwg.category is not ImwgCategory.PD
    assert "response.imwg_possible_progression" in ids(outcome)


@pytest.mark.parametrize(
    ("values", "is_pd"),
    [
        ((2.5, 2.5), True),  # +25%, +0.5 from baseline 2.0
        ((2.48, 2.48), False),  # +24%
        ((1.0, 1.0, 1.5, 1.5), True),  # nadir 1.0 confirmed: +50%, +0.5
        ((1.0, 1.0, 1.45, 1.45), False),  # +45% but only +0.45 g/dL
    ],
)
def test_serum_progression_thresholds(values, is_pd):
    assert (category(serum_only(*values)) is ImwgCategory.PD) is is_pd


@pytest.mark.parametrize(
    ("nadir", "latest", "is_pd"),
    [
        (6.0, 7.0, True),  # nadir ≥ 5: +1 g/dL is enough (17%)
        (6.0, 6.9, False),  # +0.9 g/dL
        (5.0, 6.0, True),  # nadir exactly 5
        (4.9, 5.9, False),  # nadir below 5: +1 g/dL is only 20%
    ],
)
def test_serum_progression_from_a_high_nadir(nadir, latest, is_pd):
    labs = [serum(nadir, BASE), urine(0, BASE), serum(latest, VISITS[0]), serum(latest, VISITS[1])]
    assert (category(labs) is ImwgCategory.PD) is is_pd


def test_nadir_is_the_lowest_confirmed_value_not_a_single_low_result():
    # 1.0 once, then 1.5: the confirmed level is 1.5, so 1.6 and 1.7 are not progression
    imwg = evaluate(mm_case(serum_only(1.0, 1.5, 1.6, 1.7))).imwg
    assert imwg is not None and imwg.category is not ImwgCategory.PD
    assert imwg.nadir[Marker.SERUM_M_PROTEIN].value == 1.5


@pytest.mark.parametrize(
    ("nadir", "latest", "is_pd"),
    [(1000, 1250, True), (500, 690, False), (100, 300, True), (1000, 1240, False)],
)
def test_urine_progression_thresholds(nadir, latest, is_pd):
    labs = [serum(2.0, BASE), urine(nadir, BASE), urine(latest, VISITS[0])]
    labs += [urine(latest, VISITS[1]), serum(2.0, VISITS[0]), serum(2.0, VISITS[1])]
    assert (category(labs) is ImwgCategory.PD) is is_pd


def test_new_lesions_on_two_consecutive_scans_are_progression():
    scans = [{"date": VISITS[0], "new_lesions": True}]
    myeloma = {"heavy_chain": "igg", "light_chain": "kappa", "imaging": scans}
    one = evaluate(mm_case(serum_only(1.0, 1.0), myeloma=myeloma))
    assert one.imwg is not None and one.imwg.category is ImwgCategory.PR
    assert "response.imwg_possible_progression" in ids(one)
    scans.append({"date": VISITS[1], "new_lesions": True})
    two = evaluate(mm_case(serum_only(1.0, 1.0), myeloma=myeloma))
    assert two.imwg is not None and two.imwg.category is ImwgCategory.PD


# --- FLC-only and marrow-only disease --------------------------------------------------------


def flc_only(post_kappa: float, *, baseline_kappa: float = 50) -> list[dict[str, Any]]:
    """Serum 0.3 g/dL and urine 50 mg/24h (not measurable); kappa-involved, lambda 1 mg/dL."""
    labs = [serum(0.3, BASE), urine(50, BASE), kappa(baseline_kappa, BASE), lambda_(1, BASE)]
    for visit in VISITS[:2]:
        labs += [kappa(post_kappa, visit), lambda_(1, visit)]
    return labs


@pytest.mark.parametrize(
    ("post_kappa", "expected"),
    [
        (5.8, ImwgCategory.VGPR),  # dFLC 49 → 4.8: 90.2% fall
        (5.9, ImwgCategory.PR),  # dFLC 49 → 4.9: exactly 90%, VGPR needs more than 90%
        (25.5, ImwgCategory.PR),  # dFLC 49 → 24.5: 50%
        (26, ImwgCategory.SD),  # dFLC 49 → 25: 49%
    ],
)
def test_flc_only_disease(post_kappa, expected):
    outcome = evaluate(mm_case(flc_only(post_kappa)))
    assert outcome.imwg is not None
    assert outcome.imwg.path is ResponsePath.FLC
    assert outcome.imwg.category is expected
    assert outcome.imwg.status is Status.UNVERIFIED  # the normal FLC ratio is unverified


@pytest.mark.parametrize(
    ("baseline_dflc", "latest_dflc", "is_pd"), [(20, 30.5, True), (40, 50, False)]
)
def test_dflc_progression_needs_more_than_10_mg_dl(baseline_dflc, latest_dflc, is_pd):
    labs = [serum(0.3, BASE), urine(50, BASE), kappa(baseline_dflc + 1, BASE), lambda_(1, BASE)]
    for visit in VISITS[:2]:
        labs += [kappa(latest_dflc + 1, visit), lambda_(1, visit)]
    assert (category(labs) is ImwgCategory.PD) is is_pd


def test_dflc_does_not_decide_progression_when_serum_is_measurable():
    labs = serum_only(1.0, 1.0) + [kappa(30, BASE), lambda_(1, BASE)]
    labs += [
        kappa(60, VISITS[0]),
        lambda_(1, VISITS[0]),
        kappa(60, VISITS[1]),
        lambda_(1, VISITS[1]),
    ]
    assert category(labs) is ImwgCategory.PR


def marrow_only(baseline: float, *values: float) -> list[dict[str, Any]]:
    labs = [serum(0.3, BASE), urine(50, BASE), kappa(1.2, BASE), lambda_(1.0, BASE)]
    labs.append(marrow(baseline, BASE))
    labs += [marrow(value, VISITS[i]) for i, value in enumerate(values)]
    return labs


@pytest.mark.parametrize(("latest", "expected"), [(20, ImwgCategory.PR), (21, ImwgCategory.SD)])
def test_marrow_only_disease(latest, expected):
    outcome = evaluate(mm_case(marrow_only(40, latest, latest)))
    assert outcome.imwg is not None
    assert outcome.imwg.path is ResponsePath.MARROW
    assert outcome.imwg.category is expected


def test_marrow_path_needs_a_baseline_of_30_percent():
    at_limit = evaluate(mm_case(marrow_only(30, 15, 15)))
    assert at_limit.imwg is not None and at_limit.imwg.category is ImwgCategory.PR
    below = evaluate(mm_case(marrow_only(29, 10, 10)))
    assert below.imwg is not None and below.imwg.category is None
    assert "response.imwg_not_measurable" in ids(below)


@pytest.mark.parametrize(("latest", "is_pd"), [(30, True), (29, False)])
def test_marrow_progression_needs_10_points(latest, is_pd):
    labs = marrow_only(20, latest, latest)
    assert (category(labs) is ImwgCategory.PD) is is_pd


# --- measurable disease ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serum_base", "urine_base", "measurable"),
    [
        (1.0, 0, [Marker.SERUM_M_PROTEIN]),
        (0.99, 0, []),
        (0.5, 200, [Marker.URINE_M_PROTEIN]),
        (0.5, 199, []),
    ],
)
def test_measurable_serum_and_urine(serum_base, urine_base, measurable):
    labs = [serum(serum_base, BASE), urine(urine_base, BASE)]
    imwg = evaluate(mm_case(labs)).imwg
    assert imwg is not None and imwg.measurable == measurable


@pytest.mark.parametrize(
    ("kappa_base", "lambda_base", "is_measurable"),
    [
        (10, 1, True),  # involved 10 mg/dL, ratio 10
        (9.9, 1, False),  # involved below 10
        (12, 8, False),  # ratio 1.5 is normal
    ],
)
def test_measurable_flc(kappa_base, lambda_base, is_measurable):
    labs = [serum(0.3, BASE), urine(50, BASE), kappa(kappa_base, BASE), lambda_(lambda_base, BASE)]
    imwg = evaluate(mm_case(labs)).imwg
    assert imwg is not None
    assert (Marker.DFLC in imwg.measurable) is is_measurable


def test_missing_baseline_urine_is_named_and_blocks_the_category():
    labs = [serum(2.0, BASE), serum(0.9, VISITS[0]), serum(0.9, VISITS[1])]
    outcome = evaluate(mm_case(labs))
    assert outcome.imwg is not None and outcome.imwg.category is None
    assert "response.imwg_needed_baseline_urine_m_protein" in ids(outcome)
    assert "response.imwg_not_assessable" in ids(outcome)
    needed = next(f for f in outcome.findings if f.id.endswith("baseline_urine_m_protein"))
    assert "PR" in needed.detail


def test_no_result_after_start_names_what_is_needed():
    outcome = evaluate(mm_case(serum_only()))
    assert outcome.imwg is not None and outcome.imwg.category is None
    assert "response.imwg_needed_serum_m_protein_after_start" in ids(outcome)


def test_light_chain_inferred_from_the_ratio_is_said():
    labs = [serum(0.3, BASE), urine(50, BASE), kappa(1, BASE), lambda_(40, BASE)]
    outcome = evaluate(mm_case(labs, myeloma={"heavy_chain": "none"}))
    assert outcome.imwg is not None
    assert outcome.imwg.involved_light_chain is not None
    assert outcome.imwg.involved_light_chain.value == "lambda"
    assert "response.imwg_light_chain_inferred" in ids(outcome)


def test_not_started_gives_no_category_and_says_so():
    outcome = evaluate(make_case(labs=[serum(2.0, BASE)]))
    assert outcome.imwg is None
    assert ids(outcome) == {"response.not_started"}


def test_other_indications_get_no_imwg_assessment():
    case = make_case(
        indication="mcl", therapy={"events": [{"date": START, "event": "start", "dose_mg": 25}]}
    )
    assert evaluate(case) == ResponseOutcome()


# --- total immunoglobulins (§11 item 9) ------------------------------------------------------


def iga_case(iga_latest: float, serum_latest: float | None) -> ResponseOutcome:
    labs = [serum(2.0, BASE), urine(0, BASE), lab("iga", 2000, "mg/dL", date=BASE)]
    labs.append(lab("iga", iga_latest, "mg/dL", date=VISITS[1]))
    if serum_latest is not None:
        labs += [serum(serum_latest, VISITS[0]), serum(serum_latest, VISITS[1])]
    return evaluate(mm_case(labs, myeloma={"heavy_chain": "iga", "light_chain": "kappa"}))


def test_total_iga_rise_without_m_protein_rise_is_not_progression():
    outcome = iga_case(2600, 1.0)  # total IgA +30%, M-protein halved
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.PR
    finding = next(f for f in outcome.findings if f.id == "response.polyclonal_iga_rise")
    assert "never by total IgA" in finding.detail
    assert finding.severity.value == "info"


def test_total_iga_rise_without_an_m_protein_after_start_asks_for_it():
    outcome = iga_case(2600, None)
    assert "response.total_iga_rise_needs_m_protein" in ids(outcome)


def test_small_total_iga_rise_is_not_flagged():
    assert "response.polyclonal_iga_rise" not in ids(iga_case(2480, 1.0))  # +24%


def test_total_iga_rise_with_a_rising_m_protein_is_left_to_progression():
    outcome = iga_case(2600, 2.6)
    assert "response.polyclonal_iga_rise" not in ids(outcome)
    assert outcome.imwg is not None and outcome.imwg.category is ImwgCategory.PD


# --- contract and properties -----------------------------------------------------------------


def test_json_contract():
    data = evaluate(mm_case(serum_only(0.9, 0.8))).model_dump(mode="json")
    assert data["imwg"]["category"] == "PR"
    assert data["imwg"]["date"] == "2026-08-01"
    assert isinstance(data["imwg"]["basis"], list) and data["imwg"]["basis"]
    assert isinstance(data["immunoglobulins"], list)
    assert data["mds"] is None


_DATES = st.dates(min_value=dt.date(2026, 3, 1), max_value=dt.date(2026, 11, 20))


@st.composite
def random_labs(draw) -> list[dict[str, Any]]:
    labs: list[dict[str, Any]] = []
    specs = [
        ("serum_m_protein", "g/dL", 0, 12),
        ("urine_m_protein", "mg/24h", 0, 5000),
        ("kappa_flc", "mg/dL", 0, 500),
        ("lambda_flc", "mg/dL", 0, 500),
        ("marrow_plasma_cells", "%", 0, 100),
        ("iga", "mg/dL", 0, 5000),
        ("igg", "mg/dL", 0, 5000),
    ]
    for test, unit, low, high in specs:
        for _ in range(draw(st.integers(0, 5))):
            value = draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
            labs.append(lab(test, value, unit, date=draw(_DATES).isoformat()))
    for test in ("serum_ife", "urine_ife"):
        for _ in range(draw(st.integers(0, 2))):
            result = draw(st.sampled_from(["negative", "positive"]))
            labs.append(lab(test, result=result, date=draw(_DATES).isoformat()))
    return one_per_test_and_day(labs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    labs=random_labs(),
    start=st.one_of(st.none(), _DATES),
    heavy=st.sampled_from([None, "igg", "iga", "none"]),
    light=st.sampled_from([None, "kappa", "lambda"]),
    scans=st.lists(
        st.fixed_dictionaries(
            {
                "date": _DATES.map(dt.date.isoformat),
                "plasmacytoma_spd_cm2": st.one_of(st.none(), st.floats(0, 100)),
                "new_lesions": st.booleans(),
            }
        ),
        max_size=3,
    ),
)
def test_random_series_never_raise_and_give_a_known_category(labs, start, heavy, light, scans):
    therapy = (
        None
        if start is None
        else {"events": [{"date": start.isoformat(), "event": "start", "dose_mg": 25}]}
    )
    case = make_case(
        labs=labs,
        therapy=therapy,
        myeloma={"heavy_chain": heavy, "light_chain": light, "imaging": scans},
    )
    outcome = evaluate(case)
    if outcome.imwg is None:
        assert "response.not_started" in ids(outcome)
        return
    assert outcome.imwg.category in set(ImwgCategory) - {ImwgCategory.SCR} or (
        outcome.imwg.category is None
        and any(f.id.startswith("response.imwg_") for f in outcome.findings)
    )
    outcome.model_dump(mode="json")


# --- the shipped examples --------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("name", "expected", "date"),
    [
        ("response-pr.yaml", ImwgCategory.PR, dt.date(2026, 11, 18)),
        ("response-vgpr.yaml", ImwgCategory.VGPR, dt.date(2026, 11, 16)),
        ("response-pd.yaml", ImwgCategory.PD, dt.date(2026, 11, 2)),
        ("iga-recovery.yaml", ImwgCategory.PR, dt.date(2026, 11, 16)),
    ],
)
def test_examples(name, expected, date):
    outcome = evaluate(load_case(EXAMPLES / name))
    assert outcome.imwg is not None
    assert (outcome.imwg.category, outcome.imwg.date, outcome.imwg.confirmed) == (
        expected,
        date,
        True,
    )


def test_iga_recovery_example():
    outcome = evaluate(load_case(EXAMPLES / "iga-recovery.yaml"))
    improved = {item.immunoglobulin.value: item.improved for item in outcome.immunoglobulins}
    assert improved == {"iga": True, "igm": False}
    assert "response.polyclonal_iga_rise" in ids(outcome)
