"""The renal starting-dose table seen through `assess` and its JSON (DESIGN.md contract).

Expected values are written from the facts file §2 (and §1 for schedules): three columns
(mm_combination + mcl; fl + mzl; mm_maintenance + mds_del5q) × three bands (moderate,
severe not on dialysis, dialysis).
"""

from __future__ import annotations

import pytest

from lenaguard.assess import assess
from lenaguard.knowledge import default_knowledge
from tests.factories import lab, make_case

KB = default_knowledge()

# Male, 65 y, 80 kg (factory): CrCl = 75 × 80 / (72 × SCr).
SCR = {"moderate": 1.85, "severe": 3.0, "dialysis": 6.0}  # 45.0, 27.8, 13.9 mL/min
COUNTS = [lab("anc", 1500, "/uL"), lab("platelets", 120000, "/uL")]

# (indication, band) → (dose_mg, frequency, after_dialysis, status, days_on)
CELLS = {
    ("mm_combination", "moderate"): (10, "daily", False, "label-old", [1, 21]),
    ("mm_combination", "severe"): (15, "every_48h", False, "unverified", [1, 21]),
    ("mm_combination", "dialysis"): (5, "daily", True, "unverified", [1, 21]),
    ("mcl", "moderate"): (10, "daily", False, "label-old", [1, 21]),
    ("mcl", "severe"): (15, "every_48h", False, "unverified", [1, 21]),
    ("mcl", "dialysis"): (5, "daily", True, "unverified", [1, 21]),
    ("fl", "moderate"): (10, "daily", False, "unverified", [1, 21]),
    ("fl", "severe"): (5, "daily", False, "unverified", [1, 21]),
    ("fl", "dialysis"): (5, "daily", True, "unverified", [1, 21]),
    ("mzl", "moderate"): (10, "daily", False, "unverified", [1, 21]),
    ("mzl", "severe"): (5, "daily", False, "unverified", [1, 21]),
    ("mzl", "dialysis"): (5, "daily", True, "unverified", [1, 21]),
    ("mm_maintenance", "moderate"): (5, "daily", False, "unverified", [1, 28]),
    ("mm_maintenance", "severe"): (2.5, "daily", False, "unverified", [1, 28]),
    ("mm_maintenance", "dialysis"): (2.5, "daily", True, "unverified", [1, 28]),
    ("mds_del5q", "moderate"): (5, "daily", False, "unverified", [1, 28]),
    ("mds_del5q", "severe"): (2.5, "daily", False, "unverified", [1, 28]),
    ("mds_del5q", "dialysis"): (2.5, "daily", True, "unverified", [1, 28]),
}


def _assessment(indication, band):
    case = make_case(
        indication=indication,
        patient={"on_dialysis": band == "dialysis"},
        labs=[lab("creatinine", SCR[band], "mg/dL"), *COUNTS],
    )
    return assess(case, KB)


@pytest.mark.parametrize(("indication", "band"), list(CELLS))
def test_table_cell_through_assess(indication, band):
    dose_mg, frequency, after_dialysis, status, days_on = CELLS[(indication, band)]
    result = _assessment(indication, band).to_json_dict()
    dose, renal = result["dose"], result["renal"]
    assert renal["band"] == band
    assert renal["weight_policy"] == "actual"
    assert renal["weight_kg_used"] == 80
    assert renal["crcl_ml_min"] == pytest.approx(75 * 80 / (72 * SCR[band]))
    assert dose["action"] == "start"
    assert dose["dose_mg"] == dose_mg
    assert dose["frequency"] == frequency
    assert dose["after_dialysis"] is after_dialysis
    assert dose["status"] == status
    assert list(dose["days_on"]) == days_on
    assert dose["cycle_days"] == 28
    assert any(f["id"] == "renal.band" for f in result["findings"])


def test_unknown_renal_function_gives_no_dose_through_assess():
    result = assess(make_case(labs=[]), KB).to_json_dict()
    assert result["dose"] is None
    assert result["renal"] is None
    ids = {f["id"] for f in result["findings"]}
    assert {"renal.crcl_inputs_missing", "dosing.start_needs_crcl"} <= ids


def test_verified_only_drops_unverified_renal_doses_but_keeps_the_label_old_one():
    moderate = make_case(labs=[lab("creatinine", SCR["moderate"], "mg/dL")])
    severe = make_case(labs=[lab("creatinine", SCR["severe"], "mg/dL")])
    assert assess(moderate, KB, verified_only=True).dose.dose_mg == 10
    assert assess(severe, KB, verified_only=True).dose is None


# --- band boundaries through assess (issue "done when": CrCl 30 and just under 60, both sides) ---
#
# facts §2: ≥ 60 no adjustment (60 itself by the unverified working rule), 30 ≤ CrCl < 60
# moderate ("30 to 60" includes 30), < 30 severe. Male, 68 y, 60 kg: CrCl = 60 / SCr.

BOUNDARY = {
    # crcl: (band, {indication of each table column: (dose, frequency)})
    60.1: (
        "normal",
        {"mm_combination": (25, "daily"), "fl": (20, "daily"), "mm_maintenance": (10, "daily")},
    ),
    60: (
        "normal",
        {"mm_combination": (25, "daily"), "fl": (20, "daily"), "mm_maintenance": (10, "daily")},
    ),
    59.99: (
        "moderate",
        {"mm_combination": (10, "daily"), "fl": (10, "daily"), "mm_maintenance": (5, "daily")},
    ),
    59.9: (
        "moderate",
        {"mm_combination": (10, "daily"), "fl": (10, "daily"), "mm_maintenance": (5, "daily")},
    ),
    30: (
        "moderate",
        {"mm_combination": (10, "daily"), "fl": (10, "daily"), "mm_maintenance": (5, "daily")},
    ),
    29.99: (
        "severe",
        {"mm_combination": (15, "every_48h"), "fl": (5, "daily"), "mm_maintenance": (2.5, "daily")},
    ),
}
BOUNDARY_STATUS = {
    # (crcl, indication) → dose status: the MM/MCL moderate row and the normal row are label-old,
    # exactly 60 rests on the unverified working rule, the other cells are unverified.
    (60.1, "mm_combination"): "label-old",
    (60.1, "fl"): "label-old",
    (60.1, "mm_maintenance"): "label-old",
    (60, "mm_combination"): "unverified",
    (60, "fl"): "unverified",
    (60, "mm_maintenance"): "unverified",
    (59.99, "mm_combination"): "label-old",
    (59.9, "mm_combination"): "label-old",
    (30, "mm_combination"): "label-old",
}


@pytest.mark.parametrize("crcl", list(BOUNDARY))
@pytest.mark.parametrize("indication", ["mm_combination", "fl", "mm_maintenance"])
def test_band_boundaries_through_assess(crcl, indication):
    band, doses = BOUNDARY[crcl]
    case = make_case(
        indication=indication,
        patient={"age_years": 68, "weight_kg": 60},
        labs=[lab("creatinine", 60 / crcl, "mg/dL"), *COUNTS],
    )
    result = assess(case, KB).to_json_dict()
    assert result["renal"]["band"] == band
    assert result["renal"]["crcl_ml_min"] == pytest.approx(crcl)
    assert (result["dose"]["dose_mg"], result["dose"]["frequency"]) == doses[indication]
    assert result["dose"]["status"] == BOUNDARY_STATUS.get((crcl, indication), "unverified")
    band_finding = next(f for f in result["findings"] if f["id"] == "renal.band")
    if band != "normal":
        # a clearance below 60 is never displayed as 60 (or above)
        assert "CrCl 60 " not in band_finding["summary"]
        assert "60.0" not in band_finding["summary"]
