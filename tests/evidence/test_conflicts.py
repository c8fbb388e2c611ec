"""Conflicts: claims, numbers and durations of ingested documents against the knowledge base."""

from __future__ import annotations

import pytest

from lenaguard.evidence import ask
from lenaguard.evidence.conflicts import (
    Quantity,
    entry_at,
    field_values,
    passage_conflicts,
    quantities,
)
from lenaguard.evidence.models import Passage
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.base import EvidenceKind
from lenaguard.knowledge.topics.claims import ClaimsKnowledge


def _passage(text: str) -> Passage:
    return Passage(id="doc#1", text=text, title="t", source="note.txt", kind=EvidenceKind.OTHER)


def _conflicts(text: str):
    return [
        (c.kind, c.knowledge.entry) for c in passage_conflicts(_passage(text), default_knowledge())
    ]


def test_every_check_names_a_knowledge_entry_and_its_values():
    kb = default_knowledge()
    claims = kb.get(ClaimsKnowledge)
    for check in claims.misconceptions:
        assert entry_at(kb, check.entry)
    for check in claims.quantities:
        entry = entry_at(kb, check.entry)
        assert all(field_values(entry, field) for field in check.fields)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("for at least 6–12 months after it ends", [Quantity(6, 12, "months")]),
        ("every two weeks", [Quantity(2, 2, "weeks")]),
        ("checked weekly", [Quantity(7, 7, "days")]),
        ("25 mg", [Quantity(25, 25, "mg")]),
        ("three to six months", [Quantity(3, 6, "months")]),
    ],
)
def test_numbers_and_durations_are_read_in_figures_words_and_ranges(text, found):
    assert quantities(text) == found


def test_a_duration_below_the_knowledge_minimum_conflicts_and_one_at_it_does_not():
    short = "Antiviral prophylaxis for hepatitis B continues for 3 months after chemotherapy ends."
    enough = (
        "Antiviral prophylaxis for hepatitis B continues for 12 months after chemotherapy ends."
    )
    assert ("duration", "infection.chronic.prophylaxis") in _conflicts(short)
    assert _conflicts(enough) == []


def test_a_starting_dose_conflicts_only_when_it_differs_from_the_label():
    assert _conflicts("In multiple myeloma patients start at 25 mg once a day.") == []
    assert ("number", "indications.indications.mm_combination") in _conflicts(
        "In multiple myeloma patients start at 15 mg once a day."
    )


def test_a_claim_put_right_is_no_conflict():
    wrong = "Strong CYP3A4 inhibitors raise lenalidomide levels."
    right = "CYP3A4 inhibitors do not raise lenalidomide levels."
    assert _conflicts(wrong) == [("claim", "interactions.no_cyp_interaction")]
    assert _conflicts(right) == []


def test_knowledge_statements_are_never_conflicts():
    kb = default_knowledge()
    passage = _passage("Strong CYP3A4 inhibitors raise lenalidomide levels.").model_copy(
        update={"entry": "interactions.no_cyp_interaction"}
    )
    assert passage_conflicts(passage, kb) == []


# facts file §11: each disagreement of the sample documents, a question that touches it, and
# the knowledge entry that holds the right version
NINE = [
    (
        "Do CYP3A4 inhibitors change lenalidomide levels?",
        "claim",
        "interactions.no_cyp_interaction",
        "003",
    ),
    ("How often should blood counts be checked?", "number", "monitoring.cbc.schedules[1]", "003"),
    ("Does lenalidomide interact with anticoagulants?", "claim", "interactions.warfarin", "003"),
    (
        "What should a patient do with leg swelling or shortness of breath?",
        "claim",
        "symptoms.symptoms.leg_swelling",
        "001",
    ),
    (
        "How long should HBV prophylaxis continue and which antiviral?",
        "duration",
        "infection.chronic.prophylaxis",
        "000",
    ),
    (
        "How long should HBV prophylaxis continue and which antiviral?",
        "claim",
        "infection.antiviral_choice",
        "000",
    ),
    ("How is resolved hepatitis B monitored?", "claim", "infection.past.other_therapy", "000"),
    ("How is resolved hepatitis B monitored?", "claim", "infection.high_risk_therapy", "000"),
    (
        "How is response to lenalidomide assessed in myeloma?",
        "claim",
        "response.imwg.confirmation",
        "003",
    ),
    ("Does IgA rise on lenalidomide?", "claim", "response.imwg.polyclonal_rise", "002"),
]


@pytest.mark.parametrize(("question", "kind", "entry", "document"), NINE)
def test_the_sample_documents_disagreements_surface_when_asked(
    sample_library, question, kind, entry, document
):
    answer = ask(question, sample_library.index(), sample_library.kb)
    found = {(c.kind, c.knowledge.entry, c.claim.source[:3]) for c in answer.conflicts}
    assert (kind, entry, document) in found
    for conflict in answer.conflicts:
        assert conflict.knowledge.text and conflict.knowledge.citations
        assert conflict.claim.text


def test_the_sample_question_shows_the_hbv_and_monitoring_disagreements(sample_library):
    answer = ask(
        "Can Revlimid be used in patients with viral infections?",
        sample_library.index(),
        sample_library.kb,
    )
    entries = {c.knowledge.entry for c in answer.conflicts}
    assert {
        "infection.antiviral_choice",
        "infection.chronic.prophylaxis",
        "infection.past.other_therapy",
        "infection.high_risk_therapy",
    } <= entries
