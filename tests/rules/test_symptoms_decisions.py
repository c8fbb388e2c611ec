"""Symptom findings pinned whole (issue 7): the symptoms and urgency a combination names, the
not-applicable finding and its citations, a single symptom's inputs and detail for a female
patient, and both neutropenic-fever findings' inputs.

Written against the mutants that survived `python benchmarks/mutation.py symptoms` (see
docs/mutation.md). Facts: mouth sores with a rash can be a severe skin reaction (USPI §5.9); a
missed period is assessed by the pregnancy rules and cannot apply to a male; a fever with an ANC
below 1,000/mcL is febrile neutropenia (CTCAE; USPI §2.1 Table 1).
"""

from __future__ import annotations

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.safety import symptoms
from lenaguard.vocab import Severity
from tests.factories import lab, make_case

KB = default_knowledge()
FEMALE_NOT_FRP = {"sex": "female", "age_years": 70, "reproductive": {"hysterectomy": True}}


def by_id(**case) -> dict:
    found = symptoms.evaluate(make_case(**case), KB).findings
    return {finding.id: finding for finding in found}


def test_mouth_sores_with_a_rash_are_named_together_with_their_urgency():
    found = by_id(symptoms=["mouth_sores", "rash"])
    assert sorted(found) == ["symptom.mouth_sores_with_skin_reaction"]
    combined = found["symptom.mouth_sores_with_skin_reaction"]
    assert combined.severity is Severity.CRITICAL
    assert combined.detail.startswith("Reported: mouth sores, rash. Concern: ")
    assert combined.inputs == {"symptoms": ["mouth_sores", "rash"], "urgency": "immediate"}


def test_a_missed_period_reported_for_a_male_is_not_assessed_and_cites_both_entries():
    found = by_id(symptoms=["missed_period"])
    assert sorted(found) == ["symptom.missed_period_not_applicable"]
    note = found["symptom.missed_period_not_applicable"]
    assert (note.severity, note.blocking) == (Severity.INFO, False)
    assert note.summary == "Missed period reported for a male patient — not assessed"
    assert note.inputs == {"symptom": "missed_period", "sex": "male"}
    sections = [citation.section for citation in note.citations]
    # The missed-period entry's citations, then the not-applicable note's.
    assert sections == [
        "Boxed warning (embryo-fetal toxicity)",
        "§5.1 (pregnancy testing: missed period or abnormal bleeding)",
        "pregnancy testing",
        "§5.1 (pregnancy testing in females of reproductive potential)",
    ]


def test_fever_with_a_low_anc_in_a_female_patient():
    found = by_id(
        symptoms=["fever", "chills"],
        labs=[lab("anc", 400, "/uL", date="2026-11-18")],
        patient=FEMALE_NOT_FRP,
    )
    assert sorted(found) == ["symptom.chills", "symptom.fever", "symptom.fever_neutropenic"]
    fever = found["symptom.fever"]
    assert fever.inputs == {"symptom": "fever", "urgency": "immediate", "sex": "female"}
    assert fever.detail.endswith(
        "A fever can be the first sign of a serious infection when your white blood cells are low."
    )
    assert found["symptom.chills"].inputs == {
        "symptom": "chills",
        "urgency": "same_day",
        "sex": "female",
    }
    neutropenic = found["symptom.fever_neutropenic"]
    assert neutropenic.severity is Severity.CRITICAL
    assert neutropenic.inputs == {"symptom": "fever", "anc_per_ul": 400, "anc_date": "2026-11-18"}


def test_fever_without_an_anc_asks_for_one():
    found = by_id(symptoms=["fever"])
    unknown = found["symptom.fever_anc_unknown"]
    assert unknown.severity is Severity.WARNING
    assert unknown.inputs == {"symptom": "fever", "anc_per_ul": None}
