"""Drug interactions: expected values come from the facts file (§6, §11 items 1 and 3)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.interactions import InteractionsKnowledge
from lenaguard.rules.safety.interactions import evaluate
from lenaguard.vocab import Category, Severity
from tests.factories import lab, make_case

KB = default_knowledge()
CATALOGUE = KB.get(DrugCatalogue)


def _findings(**overrides):
    outcome = evaluate(make_case(**overrides), KB)
    assert outcome.monitoring == []  # monitoring items come from the monitoring rules
    return outcome.findings


def _by_id(findings):
    return {finding.id: finding for finding in findings}


# --- digoxin (§6: Cmax +14%, AUC not significantly changed, monitor levels; secondary) ------


@pytest.mark.parametrize(
    "medication",
    [{"name": "digoxin"}, {"name": "Lanoxin 125 mcg daily"}, {"rxnorm": "3407"}],
    ids=["generic", "brand", "rxnorm"],
)
def test_digoxin_is_recognised_by_name_brand_and_rxnorm(medication):
    found = _by_id(_findings(medications=[medication]))
    digoxin = found["interaction.digoxin"]
    assert digoxin.severity is Severity.WARNING
    assert digoxin.status is Status.SECONDARY
    assert digoxin.category is Category.INTERACTION
    assert "Cmax" in digoxin.detail and "14%" in digoxin.detail
    assert "AUC" in digoxin.detail and "did not change significantly" in digoxin.detail
    assert "Cmax and AUC" not in digoxin.detail
    assert {"chen_digoxin_2014", "giagounidis_mds_2008"} <= {c.source for c in digoxin.citations}
    assert "periodically" in digoxin.summary
    assert "digoxin" in digoxin.detail.lower() and "level" in digoxin.detail.lower()
    assert "interaction.unrecognised_medications" not in found


# --- warfarin (§6: no PK interaction; PT/INR closely in MM; label-old) ----------------------


@pytest.mark.parametrize("indication", ["mm_combination", "mm_maintenance"])
def test_warfarin_in_myeloma_asks_for_close_inr_monitoring(indication):
    found = _by_id(_findings(indication=indication, medications=[{"name": "Coumadin"}]))
    warfarin = found["interaction.warfarin"]
    assert warfarin.severity is Severity.WARNING
    assert warfarin.status is Status.LABEL_OLD
    assert "INR" in warfarin.summary
    assert "dexamethasone" in warfarin.detail
    assert "does not change warfarin levels" in warfarin.detail


def test_warfarin_outside_myeloma_without_dexamethasone_is_information_only():
    found = _by_id(_findings(indication="fl", medications=[{"rxnorm": "11289"}]))
    warfarin = found["interaction.warfarin"]
    assert warfarin.severity is Severity.INFO
    assert "no pharmacokinetic interaction" in warfarin.summary.lower()


def test_warfarin_with_dexamethasone_outside_myeloma_still_needs_inr_monitoring():
    meds = [{"name": "warfarin"}, {"name": "dexamethasone"}]
    warfarin = _by_id(_findings(indication="mcl", medications=meds))["interaction.warfarin"]
    assert warfarin.severity is Severity.WARNING
    assert warfarin.inputs["dexamethasone"] == ["dexamethasone"]


# --- ESAs and estrogens (§6: thrombosis risk, use with caution; unverified wording) ---------


@pytest.mark.parametrize(
    "name", ["epoetin alfa", "Procrit", "Aranesp", "darbepoetin", "Premarin", "estradiol"]
)
def test_esa_and_estrogen_raise_a_thrombosis_caution(name):
    risk = _by_id(_findings(medications=[{"name": name}]))["interaction.thrombosis_risk"]
    assert risk.severity is Severity.WARNING
    assert risk.status is Status.UNVERIFIED
    assert "caution" in risk.summary.lower()
    assert "clot" in risk.summary.lower()


FORBIDDING_WORDS = ("contraindicat", "forbid", "must not", "do not use", "stop", "never")


def test_estrogen_contraception_in_a_woman_who_can_become_pregnant_is_not_called_forbidden():
    risk = _by_id(
        _findings(
            patient={"sex": "female", "age_years": 30, "reproductive": {"hysterectomy": False}},
            medications=[{"name": "Yaz"}],
        )
    )["interaction.thrombosis_risk"]
    assert risk.severity is Severity.WARNING  # flagged, not blocking
    assert not risk.blocking
    text = f"{risk.summary} {risk.detail}".lower()
    assert "contracepti" in text and "rems" in text
    assert "caution" in text
    for word in FORBIDDING_WORDS:
        assert word not in text, word


def test_the_contraception_note_is_only_for_female_patients_on_an_estrogen():
    male = _by_id(_findings(medications=[{"name": "estradiol"}]))["interaction.thrombosis_risk"]
    assert "REMS" not in male.detail
    esa_only = _by_id(
        _findings(patient={"sex": "female", "age_years": 30}, medications=[{"name": "Retacrit"}])
    )["interaction.thrombosis_risk"]
    assert "REMS" not in esa_only.detail


def test_the_contraception_note_is_left_out_for_a_female_who_cannot_become_pregnant():
    """Regression: a woman after a hysterectomy on estrogen HRT was told her estrogen might be
    her REMS contraception."""
    for history in ({"hysterectomy": True}, {"months_since_last_menses": 30}):
        risk = _by_id(
            _findings(
                patient={"sex": "female", "age_years": 66, "reproductive": history},
                medications=[{"name": "estradiol"}],
            )
        )["interaction.thrombosis_risk"]
        assert "REMS" not in risk.detail and "contraception requirement" not in risk.detail
        assert risk.status is Status.UNVERIFIED
        assert "caution" in risk.summary.lower()
    # unknown history counts as able to become pregnant (§5): the note stays
    presumed = _by_id(
        _findings(patient={"sex": "female", "age_years": 52}, medications=[{"name": "Yaz"}])
    )["interaction.thrombosis_risk"]
    assert "REMS" in presumed.detail


# --- anticoagulants / antiplatelets: low platelets, not an interaction (§11 item 3) ---------

ANTICOAGULANTS = ["enoxaparin", "Eliquis", "rivaroxaban", "warfarin", "heparin", "fondaparinux"]
ANTIPLATELETS = ["aspirin 81 mg", "Plavix", "ticagrelor"]


@pytest.mark.parametrize("name", ANTICOAGULANTS + ANTIPLATELETS)
def test_low_platelets_with_an_anticoagulant_or_antiplatelet_warns_of_bleeding(name):
    found = _by_id(_findings(medications=[{"name": name}], labs=[lab("platelets", 49_999, "/uL")]))
    bleeding = found["interaction.bleeding_low_platelets"]
    assert bleeding.severity is Severity.WARNING
    assert bleeding.status is Status.UNVERIFIED
    assert "49,999/mcL" in bleeding.detail and "50,000/mcL" in bleeding.detail
    assert "not a drug interaction with lenalidomide" in bleeding.detail
    assert bleeding.inputs["platelets_per_ul"] == 49_999


@pytest.mark.parametrize("name", ANTICOAGULANTS + ANTIPLATELETS)
def test_platelets_at_the_threshold_raise_no_bleeding_finding(name):
    found = _by_id(_findings(medications=[{"name": name}], labs=[lab("platelets", 50, "10^3/uL")]))
    assert "interaction.bleeding_low_platelets" not in found
    assert "interaction.bleeding_platelets_unknown" not in found


def test_the_latest_platelet_count_decides():
    labs = [lab("platelets", 20, "10^9/L", date="2026-11-01"), lab("platelets", 150, "10^9/L")]
    found = _by_id(_findings(medications=[{"name": "Lovenox"}], labs=labs))
    assert "interaction.bleeding_low_platelets" not in found
    labs = [lab("platelets", 150, "10^9/L", date="2026-11-01"), lab("platelets", 20, "10^9/L")]
    found = _by_id(_findings(medications=[{"name": "Lovenox"}], labs=labs))
    assert found["interaction.bleeding_low_platelets"].inputs["platelets_date"] == "2026-11-18"


def test_an_anticoagulant_without_a_platelet_count_asks_for_one():
    found = _by_id(_findings(medications=[{"name": "apixaban"}]))
    unknown = found["interaction.bleeding_platelets_unknown"]
    assert unknown.severity is Severity.WARNING
    assert "complete blood count" in unknown.detail
    assert unknown.inputs["platelets_per_ul"] is None


def test_bleeding_is_never_framed_as_a_lenalidomide_interaction_in_the_knowledge():
    entry = KB.get(InteractionsKnowledge).bleeding_with_low_platelets
    assert "not a drug interaction with lenalidomide" in entry.not_an_interaction
    assert entry.platelets_below_per_ul == 50_000


# --- CYP3A4 (§6, §11 item 1): never an alert, always an info finding ------------------------


def _cyp_drugs():
    return [
        drug
        for drug in CATALOGUE.drugs
        if {"cyp3a4_inhibitor", "cyp3a4_inducer"} & set(drug.classes)
    ]


def test_the_catalogue_has_cyp3a4_inhibitors_and_inducers_to_check():
    ids = {drug.id for drug in _cyp_drugs()}
    assert {"clarithromycin", "ketoconazole", "itraconazole", "rifampin", "carbamazepine"} <= ids


@pytest.mark.parametrize("drug", _cyp_drugs(), ids=lambda drug: drug.id)
def test_no_cyp3a4_inhibitor_or_inducer_raises_an_interaction_alert(drug):
    entries = [{"name": label} for label in (*drug.names, *drug.brands)]
    entries += [{"rxnorm": code} for code in drug.rxnorm]
    for medication in entries:
        # maintenance: no dexamethasone in the regimen (see the dexamethasone tests below)
        findings = _findings(indication="mm_maintenance", medications=[medication])
        assert [f.id for f in findings] == ["interaction.no_cyp_interaction"], medication
        info = findings[0]
        assert info.severity is Severity.INFO
        assert info.status is Status.SECONDARY
        assert {c.source for c in info.citations} >= {"uspi", "kumar_cyp_2009", "chen_pk_2012"}
        assert "no interaction" in info.summary.lower()
        assert "get this wrong" in info.detail  # the drug guides are named as wrong
        assert "do not change lenalidomide levels" in info.detail
        assert "limited" in info.detail and "does not go through CYP" in info.detail
        assert "dexamethasone" not in info.detail.lower()


def test_cyp3a4_drugs_together_with_others_still_raise_no_warning_about_themselves():
    meds = [{"name": "ketoconazole"}, {"name": "rifampin"}, {"name": "digoxin"}]
    findings = _findings(
        indication="mm_maintenance", medications=meds, labs=[lab("platelets", 200, "10^3/uL")]
    )
    assert {f.id for f in findings} == {"interaction.no_cyp_interaction", "interaction.digoxin"}
    for finding in findings:
        if finding.severity is not Severity.INFO:
            assert "ketoconazole" not in finding.detail and "rifampin" not in finding.detail


def _assess_with(medications, indication="mm_maintenance"):
    from lenaguard.assess import assess

    base = {
        "indication": indication,
        "labs": [
            lab("creatinine", 1.0, "mg/dL"),
            lab("anc", 2500, "/uL"),
            lab("platelets", 200_000, "/uL"),
        ],
        "therapy": {"events": [{"date": "2026-10-23", "event": "start", "dose_mg": 25}]},
    }
    return assess(make_case(**base, medications=medications), KB)


@pytest.mark.parametrize("drug", _cyp_drugs(), ids=lambda drug: drug.id)
def test_no_cyp3a4_drug_changes_anything_in_a_whole_assessment(drug):
    """Facts §6 and §11 item 1: no rule anywhere in `assess` may alert on a CYP3A4 drug."""
    without = _assess_with([])
    result = _assess_with([{"name": drug.names[0]}])
    assert result.ready_to_prescribe is without.ready_to_prescribe
    assert result.blocking == without.blocking
    assert result.dose == without.dose
    new = {f.id for f in result.findings} - {f.id for f in without.findings}
    assert new == {"interaction.no_cyp_interaction"}
    for finding in result.findings:
        text = f"{finding.summary} {finding.detail}".lower()
        if drug.names[0].lower() in text or "cyp" in text:
            assert finding.severity is Severity.INFO, finding.id


# --- dexamethasone is a CYP3A4 substrate (brief: never "no extra monitoring" with it) ---------


@pytest.mark.parametrize(
    ("drug", "change"),
    [("clarithromycin", "raise"), ("itraconazole", "raise"), ("rifampin", "lower")],
)
@pytest.mark.parametrize(
    ("indication", "medications"),
    [
        ("mm_combination", []),  # dexamethasone is the labelled regimen, listed or not
        ("mm_maintenance", [{"name": "dexamethasone", "mg_per_month": 160}]),
        ("mcl", [{"name": "Decadron"}]),
    ],
)
def test_dexamethasone_exposure_may_change_with_a_cyp3a4_drug(
    drug, change, indication, medications
):
    found = _by_id(_findings(indication=indication, medications=[*medications, {"name": drug}]))
    dex = found["interaction.dexamethasone_cyp3a4"]
    assert dex.severity is Severity.WARNING
    assert f"may {change} dexamethasone exposure" in dex.detail
    assert "No lenalidomide interaction is expected" in dex.detail
    assert dex.status is Status.UNVERIFIED
    no_cyp = found["interaction.no_cyp_interaction"]
    assert no_cyp.severity is Severity.INFO  # never an alert for lenalidomide itself
    assert "Dexamethasone" in no_cyp.detail and "CYP3A4 substrate" in no_cyp.detail


@pytest.mark.parametrize("indication", ["mm_maintenance", "mcl", "fl", "mzl", "mds_del5q"])
def test_no_dexamethasone_note_without_dexamethasone(indication):
    found = _by_id(_findings(indication=indication, medications=[{"name": "clarithromycin"}]))
    assert "interaction.dexamethasone_cyp3a4" not in found
    assert "dexamethasone" not in found["interaction.no_cyp_interaction"].detail.lower()


def test_dexamethasone_without_a_cyp3a4_drug_says_nothing():
    found = _findings(medications=[{"name": "dexamethasone", "mg_per_month": 160}])
    assert "interaction.dexamethasone_cyp3a4" not in {f.id for f in found}


def test_with_dexamethasone_a_cyp3a4_drug_changes_no_lenalidomide_decision():
    without = _assess_with([], indication="mm_combination")
    result = _assess_with([{"name": "ketoconazole"}], indication="mm_combination")
    assert result.ready_to_prescribe is without.ready_to_prescribe
    assert result.dose == without.dose
    new = {f.id for f in result.findings} - {f.id for f in without.findings}
    assert new == {"interaction.no_cyp_interaction", "interaction.dexamethasone_cyp3a4"}


def test_the_knowledge_never_says_lenalidomide_has_no_metabolism():
    """Facts §6: limited metabolism, not through CYP enzymes — never 'no metabolism'."""
    import re

    from tests.test_clinical_text import all_knowledge_text

    wrong = re.compile(
        r"no (phase i|metaboli)|undergoes no|is not metabolised|not metabolized", re.I
    )
    assert not [text for text in all_knowledge_text() if wrong.search(text)]


# --- unrecognised medications and lenalidomide itself ---------------------------------------


def test_unrecognised_medications_are_listed_as_not_checked():
    found = _by_id(_findings(medications=[{"name": "zorblaxin"}, {"rxnorm": "999999999"}]))
    unknown = found["interaction.unrecognised_medications"]
    assert unknown.severity is Severity.INFO
    assert "zorblaxin" in unknown.detail and "999999999" in unknown.detail
    assert unknown.inputs["medications"] == ["zorblaxin", "RxNorm 999999999"]


def test_lenalidomide_itself_and_drugs_without_an_interaction_give_no_finding():
    meds = [{"name": "Revlimid"}, {"name": "lenalidomide"}, {"name": "rituximab"}]
    assert _findings(medications=meds) == []
    assert _findings(medications=[]) == []


# --- pharmacokinetics knowledge (§6: secondary; metabolism limited, not absent) -------------


def test_pharmacokinetic_facts_carry_the_facts_file_values_and_statuses():
    pk = KB.get(InteractionsKnowledge).pharmacokinetics
    assert pk.metabolism.status is Status.SECONDARY
    assert {"chen_pk_2012", "kumar_cyp_2009"} <= {c.source for c in pk.metabolism.cite}
    assert "limited" in pk.metabolism.text
    assert "5-hydroxy" in pk.metabolism.text and "N-acetyl" in pk.metabolism.text
    assert pk.half_life.typical_hours == 3
    assert pk.half_life.range_hours == (3, 4)
    assert pk.half_life.status is Status.SECONDARY
    assert pk.food.auc_decrease_percent == 20
    assert pk.food.clinically_relevant is False
    assert pk.food.status is Status.SECONDARY
    assert pk.p_glycoprotein.status is Status.SECONDARY
    assert "weak" in pk.p_glycoprotein.text


def test_every_class_named_by_an_interaction_exists_in_the_catalogue():
    knowledge = KB.get(InteractionsKnowledge)
    named = {c for statement in knowledge.class_statements() for c in statement.classes}
    named |= set(knowledge.estrogen_contraception.classes) | set(knowledge.ignored_classes)
    named.add(knowledge.warfarin.reason_class)
    assert named <= set(CATALOGUE.classes)


# --- property: any medication list is handled without an exception -------------------------

_KNOWN_LABELS = sorted({label for drug in CATALOGUE.drugs for label in (*drug.names, *drug.brands)})
_CODES = sorted({code for drug in CATALOGUE.drugs for code in drug.rxnorm})
_medication = st.one_of(
    st.builds(lambda name: {"name": name}, st.sampled_from(_KNOWN_LABELS)),
    st.builds(lambda name: {"name": name}, st.text(min_size=1, max_size=30)),
    st.builds(lambda code: {"rxnorm": code}, st.sampled_from(_CODES)),
    st.builds(lambda code: {"rxnorm": str(code)}, st.integers(min_value=0, max_value=10**9)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    medications=st.lists(_medication, max_size=8),
    platelets=st.one_of(st.none(), st.integers(min_value=0, max_value=900_000)),
    sex=st.sampled_from(["female", "male"]),
    indication=st.sampled_from(["mm_combination", "mm_maintenance", "mds_del5q", "fl"]),
)
def test_random_medication_lists_never_raise(medications, platelets, sex, indication):
    labs = [] if platelets is None else [lab("platelets", platelets, "/uL")]
    case = make_case(
        indication=indication, patient={"sex": sex}, medications=medications, labs=labs
    )
    outcome = evaluate(case, KB)
    assert outcome.monitoring == []
    ids = [finding.id for finding in outcome.findings]
    assert len(ids) == len(set(ids))
    for finding in outcome.findings:
        assert finding.category is Category.INTERACTION
        assert finding.severity is not Severity.CRITICAL
        if finding.id == "interaction.no_cyp_interaction":
            assert finding.severity is Severity.INFO
