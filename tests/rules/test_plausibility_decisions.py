"""Improbable-value findings pinned whole (issue 7): id, severity, blocking flag, summary, detail,
inputs and remedy, for a lab result (not confirmed, confirmed, written twice), the patient's
weight and age, and the entries skipped (a result without a value, a missing weight).

Written against the mutants that survived `python benchmarks/mutation.py plausibility` (see
docs/mutation.md). The ranges are lenaguard's own (knowledge labs.yaml, unverified): an ANC is
expected between 10 and 100,000/uL, a weight between 25 and 250 kg, an age between 1 and 100.
"""

from __future__ import annotations

from lenaguard.findings import RecordField
from lenaguard.knowledge import default_knowledge
from lenaguard.rules.safety import plausibility
from lenaguard.vocab import Severity
from tests.factories import lab, make_case

KB = default_knowledge()
ANC_ID = "input.improbable_value.anc_2026_11_18"


def findings(**case) -> list:
    return plausibility.evaluate(make_case(**case), KB).findings


def high_anc(**extra) -> dict:
    return lab("anc", 150_000, "/uL", date="2026-11-18", **extra)


def test_an_improbable_lab_result_blocks_until_confirmed_and_names_its_first_entry():
    # A qualitative result (no value) comes first and is skipped; the same ANC written twice
    # gives one finding, for the first entry.
    (finding,) = findings(
        labs=[
            lab("hbsag", unit="/uL", date="2026-11-10", result="negative"),
            high_anc(),
            high_anc(),
        ]
    )
    assert (finding.id, finding.severity, finding.blocking) == (ANC_ID, Severity.CRITICAL, True)
    assert finding.summary == (
        "Check the anc of 150,000 /uL on 2026-11-18 (labs.1): it is outside the expected range."
    )
    assert finding.detail == (
        "150,000 /uL is outside the expected range for anc (10 to 100,000 /uL). Such a value is "
        "possible but rare, so a slip of unit or decimal point is more likely. The rules use the "
        "value as written. Check it against the source record and correct it, or, if it is "
        "right, record `labs.1.confirmed: true`. Until then the prescription is not ready."
    )
    assert finding.inputs == {
        "field": "labs.1",
        "value": 150_000,
        "unit": "/uL",
        "date": "2026-11-18",
        "expected": "10 to 100,000 /uL",
        "confirmed": False,
        "record": "labs.1.confirmed: true",
    }
    assert finding.remedy == RecordField(field="labs.1.confirmed")


def test_a_confirmed_result_is_information_only():
    (finding,) = findings(labs=[high_anc(confirmed=True)])
    assert finding.id == "input.improbable_value_confirmed.anc_2026_11_18"
    assert (finding.severity, finding.blocking, finding.remedy) == (Severity.INFO, False, None)
    assert finding.summary == (
        "The anc of 150,000 /uL on 2026-11-18 (labs.0) is unusual and was confirmed."
    )
    assert finding.detail == (
        "150,000 /uL is outside the expected range for anc (10 to 100,000 /uL). It is marked as "
        "checked (labs.0.confirmed: true), so it is used as written and does not hold up the "
        "prescription."
    )
    assert finding.inputs["confirmed"] is True


def test_improbable_patient_fields_carry_no_date_and_the_age_no_unit():
    found = {f.id: f for f in findings(patient={"weight_kg": 300, "age_years": 105})}
    assert sorted(found) == [
        "input.improbable_value.patient_age_years",
        "input.improbable_value.patient_weight_kg",
    ]
    age = found["input.improbable_value.patient_age_years"]
    assert age.summary == (
        "Check the age of 105 (patient.age_years): it is outside the expected range."
    )
    assert age.detail.startswith("105 is outside the expected range for age (1 to 100 years).")
    assert age.inputs == {
        "field": "patient.age_years",
        "value": 105,
        "expected": "1 to 100 years",
        "confirmed": False,
        "record": "patient.confirmed: [age_years]",
    }
    assert age.remedy == RecordField(field="patient.confirmed")
    weight = found["input.improbable_value.patient_weight_kg"]
    assert weight.summary == (
        "Check the weight of 300 kg (patient.weight_kg): it is outside the expected range."
    )
    assert " 300 looks like a result in lb (300 lb = 136.08 kg): check the unit. " in weight.detail
    assert weight.inputs == {
        "field": "patient.weight_kg",
        "value": 300,
        "unit": "kg",
        "expected": "25 to 250 kg",
        "confirmed": False,
        "record": "patient.confirmed: [weight_kg]",
    }


def test_a_missing_weight_is_no_improbable_value():
    assert findings(patient={"weight_kg": None}) == []
