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
