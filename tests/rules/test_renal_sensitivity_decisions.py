"""The weight-policy finding pinned whole (issue 7): when another weight than the actual one
moves the clearance into another band, both clearances, bands and starting doses, and the
actual weight as written (to one decimal).

Written against the mutants that survived `python benchmarks/mutation.py renal_sensitivity`
(see docs/mutation.md). Facts §2: Cockcroft-Gault, the myeloma starting dose 25 mg at CrCl 60 or
more and 10 mg daily at 30–59; IBW (Devine) of a 175 cm man 70.5 kg.
"""

from __future__ import annotations

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.dose import renal_sensitivity
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.vocab import Severity
from tests.factories import lab, make_case

KB = default_knowledge()


def test_an_ideal_weight_policy_that_moves_the_band_shows_both_doses():
    case = make_case(
        patient={"sex": "male", "age_years": 68, "weight_kg": 110.36, "height_cm": 175},
        labs=[lab("creatinine", 1.4, "mg/dL", date="2026-11-19")],
        renal={"weight_policy": "ideal"},
    )
    renal, _ = assess_renal(case, KB)
    (finding,) = [
        f
        for f in renal_sensitivity.evaluate(case, renal, KB)
        if f.id == "renal.weight_policy_changes_band"
    ]
    assert (finding.severity, finding.blocking) == (Severity.WARNING, False)
    assert finding.inputs == {
        "weight_policy": "ideal",
        "crcl_ml_min": pytest.approx(50.33, abs=0.01),
        "band": "moderate",
        "dose_mg": 10,
        "actual_weight_crcl_ml_min": pytest.approx(78.83, abs=0.01),
        "actual_weight_band": "normal",
        "actual_weight_dose_mg": 25,
    }
    assert (
        "starting dose 10 mg once daily. With actual body weight (110.4 kg): CrCl 78.8 mL/min, "
        "normal band, starting dose 25 mg once daily."
    ) in finding.detail
    assert finding.detail.endswith(
        "Confirm which weight fits this patient before the dose is chosen."
    )
