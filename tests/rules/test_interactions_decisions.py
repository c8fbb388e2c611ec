"""Interaction findings pinned whole (issue 7): every finding's inputs, and its detail with more
than one medication of a class, so that the names, their order and their joining are fixed.

Written against the mutants that survived `python benchmarks/mutation.py interactions` (see
docs/mutation.md). Which drugs raise which finding follows the facts file §6 (USPI §7: digoxin
levels; warfarin with dexamethasone in myeloma; ESAs and estrogens add clot risk; no CYP
interaction of lenalidomide; dexamethasone is a CYP3A4 substrate). The detail sentences are the
knowledge entries' own text, read here from the knowledge so that only the composition is pinned.
"""

from __future__ import annotations

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.interactions import InteractionsKnowledge
from lenaguard.rules.safety.interactions import evaluate
from lenaguard.vocab import Severity
from tests.factories import lab, make_case

KB = default_knowledge()
K = KB.get(InteractionsKnowledge)

TWO_OF_EACH = [
    "digoxin",
    "Lanoxin",
    "warfarin",
    "Coumadin",
    "estradiol",
    "Retacrit",
    "ketoconazole",
    "clarithromycin",
    "rifampin",
    "carbamazepine",
    "dexamethasone",
    "Decadron",
    "zorblaxin",
    "quuxamab",
]


def findings(indication: str, names: list[str], **extra) -> dict:
    case = make_case(indication=indication, medications=[{"name": n} for n in names], **extra)
    return {finding.id: finding for finding in evaluate(case, KB).findings}


def test_each_finding_names_every_medication_of_its_class():
    found = findings("mm_combination", TWO_OF_EACH)
    assert sorted(found) == [
        "interaction.bleeding_platelets_unknown",
        "interaction.dexamethasone_cyp3a4",
        "interaction.digoxin",
        "interaction.no_cyp_interaction",
        "interaction.thrombosis_risk",
        "interaction.unrecognised_medications",
        "interaction.warfarin",
    ]
    digoxin = found["interaction.digoxin"]
    assert digoxin.inputs == {"medications": ["Lanoxin (digoxin)", "digoxin"]}
    assert digoxin.detail.startswith("Lanoxin (digoxin), digoxin: With lenalidomide, the digoxin")
    risk = found["interaction.thrombosis_risk"]
    assert risk.inputs == {"medications": ["Retacrit (epoetin alfa)", "estradiol"], "sex": "male"}
    assert risk.detail == f"Retacrit (epoetin alfa), estradiol: {K.thrombosis_risk.detail}"
    unknown = found["interaction.bleeding_platelets_unknown"]
    assert unknown.inputs == {
        "medications": ["Coumadin (warfarin)", "warfarin"],
        "platelets_per_ul": None,
    }
    assert unknown.detail == (
        f"Coumadin (warfarin), warfarin: {K.bleeding_with_low_platelets.platelets_unknown_detail}"
    )
    assert found["interaction.unrecognised_medications"].detail == (
        f"Not recognised: quuxamab, zorblaxin. {K.unrecognised.detail}"
    )


def test_warfarin_in_myeloma_is_monitored_with_the_dexamethasone_named():
    warfarin = findings("mm_combination", TWO_OF_EACH)["interaction.warfarin"]
    assert warfarin.severity is K.warfarin.severity
    assert warfarin.detail == f"Coumadin (warfarin), warfarin: {K.warfarin.detail}"
    assert warfarin.inputs == {
        "medications": ["Coumadin (warfarin)", "warfarin"],
        "indication": "mm_combination",
        "dexamethasone": ["Decadron (dexamethasone)", "dexamethasone"],
    }


def test_warfarin_outside_myeloma_without_dexamethasone_gets_the_other_wording():
    warfarin = findings("mcl", ["warfarin", "Coumadin"])["interaction.warfarin"]
    assert warfarin.severity is K.warfarin.otherwise_severity
    assert warfarin.detail == f"Coumadin (warfarin), warfarin: {K.warfarin.otherwise_detail}"
    assert warfarin.inputs == {
        "medications": ["Coumadin (warfarin)", "warfarin"],
        "indication": "mcl",
        "dexamethasone": [],
    }


def test_no_cyp_interaction_points_to_the_dexamethasone_finding_when_dexamethasone_is_given():
    found = findings("mm_combination", TWO_OF_EACH)
    no_cyp = found["interaction.no_cyp_interaction"]
    assert no_cyp.severity is Severity.INFO
    assert no_cyp.inputs == {
        "medications": ["carbamazepine", "clarithromycin", "ketoconazole", "rifampin"]
    }
    entry = K.no_cyp_interaction
    assert no_cyp.detail == (
        f"carbamazepine, clarithromycin, ketoconazole, rifampin: {entry.detail} "
        f"{entry.wrong_claim} "
        f"{K.dexamethasone_cyp3a4.no_cyp_note}"
    )
    dexamethasone = found["interaction.dexamethasone_cyp3a4"]
    assert dexamethasone.inputs == {
        "inhibitors": ["clarithromycin", "ketoconazole"],
        "inducers": ["carbamazepine", "rifampin"],
        "dexamethasone": "Decadron (dexamethasone), dexamethasone",
    }
    cyp = K.dexamethasone_cyp3a4
    assert dexamethasone.detail == (
        f"With Decadron (dexamethasone), dexamethasone. clarithromycin, ketoconazole: "
        f"{cyp.inhibitor_text} carbamazepine, rifampin: {cyp.inducer_text} "
        f"{cyp.not_lenalidomide} {cyp.detail}"
    )


def test_low_platelets_with_two_anticoagulants_names_both():
    found = findings(
        "mcl",
        ["apixaban", "Lovenox"],
        labs=[lab("platelets", 40_000, "/uL", date="2026-11-18")],
    )
    bleeding = found["interaction.bleeding_low_platelets"]
    assert bleeding.inputs == {
        "medications": ["Lovenox (enoxaparin)", "apixaban"],
        "platelets_per_ul": 40_000,
        "platelets_date": "2026-11-18",
    }
    assert bleeding.detail.startswith(
        "Platelets 40,000/mcL on 2026-11-18, below 50,000/mcL, with Lovenox (enoxaparin), apixaban."
    )
