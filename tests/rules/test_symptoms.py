"""Patient-reported symptoms: expected values come from the facts file (§5, §7, §10)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.symptoms import SymptomsKnowledge, Urgency
from lenaguard.rules.safety.symptoms import evaluate, patient_instruction
from lenaguard.vocab import Category, Severity, Symptom
from tests.factories import lab, make_case

KB = default_knowledge()
FEMALE = {"sex": "female", "age_years": 34}
NORMAL_ANC = [lab("anc", 3000, "/uL")]

# Severity of each symptom on its own (facts §7 boxed warning, §5, §10; lenaguard's choices
# for the warnings are documented in docs/rules/symptoms.md).
EXPECTED = {
    Symptom.FEVER: (Severity.WARNING, Urgency.IMMEDIATE),
    Symptom.CHILLS: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.SORE_THROAT: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.MOUTH_SORES: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.SHORTNESS_OF_BREATH: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.CHEST_PAIN: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.LEG_SWELLING: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.ARM_SWELLING: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.RASH: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.BLISTERING_RASH: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.PEELING_SKIN: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.BLEEDING: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.BRUISING: (Severity.WARNING, Urgency.SAME_DAY),
    Symptom.MISSED_PERIOD: (Severity.CRITICAL, Urgency.IMMEDIATE),
    Symptom.CONSTIPATION: (Severity.INFO, Urgency.ROUTINE),
    Symptom.FATIGUE: (Severity.INFO, Urgency.ROUTINE),
}
CLOT_SIGNS = [
    Symptom.SHORTNESS_OF_BREATH,
    Symptom.CHEST_PAIN,
    Symptom.LEG_SWELLING,
    Symptom.ARM_SWELLING,
]
SEVERE_SKIN = [Symptom.BLISTERING_RASH, Symptom.PEELING_SKIN]


def _findings(symptoms, patient=FEMALE, labs=NORMAL_ANC):
    outcome = evaluate(make_case(patient=patient, symptoms=list(symptoms), labs=labs), KB)
    assert outcome.monitoring == []
    return outcome.findings


def _by_id(findings):
    return {finding.id: finding for finding in findings}


def test_the_expectation_table_covers_every_symptom_of_the_vocabulary():
    assert set(EXPECTED) == set(Symptom)


# Reported by the pregnancy rules for female patients (one finding, not two).
BY_PREGNANCY_RULES = {Symptom.MISSED_PERIOD: "pregnancy.missed_period"}


def _assess(symptoms, patient=FEMALE, labs=NORMAL_ANC, **extra):
    return assess(make_case(patient=patient, symptoms=list(symptoms), labs=labs, **extra), KB)


@pytest.mark.parametrize("symptom", list(Symptom))
def test_every_symptom_maps_to_an_urgency_and_produces_a_finding(symptom):
    severity, urgency = EXPECTED[symptom]
    entry = KB.get(SymptomsKnowledge).entry(symptom)
    assert entry.urgency is urgency
    if symptom in BY_PREGNANCY_RULES:
        assert entry.reported_by_pregnancy_rules
        assert _findings([symptom]) == []
        result = _assess([symptom])
        (finding,) = [f for f in result.findings if f.id == BY_PREGNANCY_RULES[symptom]]
        assert finding.severity is severity
        assert patient_instruction(symptom, KB) in finding.detail
        assert finding.id in result.blocking
        return
    findings = _findings([symptom])
    assert [f.id for f in findings] == [f"symptom.{symptom.value}"]
    finding = findings[0]
    assert finding.category is Category.SYMPTOM
    assert finding.severity is severity
    assert finding.inputs["urgency"] == urgency.value
    assert patient_instruction(symptom, KB) in finding.detail
    assert urgency.words in finding.summary


@pytest.mark.parametrize("symptom", list(Symptom))
def test_patient_instructions_are_plain_and_never_merely_notify_the_doctor(symptom):
    text = patient_instruction(symptom, KB)
    assert text.strip()
    assert "notify your doctor" not in text.lower()
    for jargon in ("neutropenia", "thrombocytopenia", "ctcae", "embolism", "cutaneous"):
        assert jargon not in text.lower(), jargon  # plain words for patients
    for acronym in ("ANC", "SJS", "TEN", "DVT", "PE", "MI"):
        assert not re.search(rf"\b{acronym}\b", text), acronym


@pytest.mark.parametrize("symptom", CLOT_SIGNS)
def test_clot_signs_mean_immediate_emergency_care(symptom):
    finding = _findings([symptom])[0]
    assert finding.severity is Severity.CRITICAL
    assert finding.status is Status.LABEL
    instruction = patient_instruction(symptom, KB).lower()
    assert "emergency" in instruction and "now" in instruction
    assert "do not wait" in instruction
    assert "heart attack" in finding.detail and "stroke" in finding.detail


@pytest.mark.parametrize("symptom", SEVERE_SKIN)
def test_blistering_or_peeling_skin_means_stop_and_seek_care(symptom):
    finding = _findings([symptom])[0]
    assert finding.severity is Severity.CRITICAL
    assert "Stop taking lenalidomide" in finding.detail
    assert "Stevens-Johnson" in finding.detail


def test_a_rash_alone_is_a_warning_that_can_escalate():
    finding = _findings([Symptom.RASH])[0]
    assert finding.severity is Severity.WARNING
    assert "get worse" in finding.detail


def test_a_rash_with_blistering_is_covered_by_the_graver_finding():
    ids = [f.id for f in _findings([Symptom.RASH, Symptom.BLISTERING_RASH])]
    assert ids == ["symptom.blistering_rash"]


# --- fever and neutropenia: ANC below 1,000/mcL ---------------------------------------------


def test_fever_without_neutropenia_is_a_warning_asking_for_immediate_attention():
    found = _by_id(_findings([Symptom.FEVER], labs=[lab("anc", 1000, "/uL")]))
    assert set(found) == {"symptom.fever"}
    assert found["symptom.fever"].severity is Severity.WARNING
    assert "right away" in found["symptom.fever"].detail


def test_fever_just_below_the_neutropenia_threshold_is_critical():
    found = _by_id(_findings([Symptom.FEVER], labs=[lab("anc", 999, "/uL")]))
    assert set(found) == {"symptom.fever", "symptom.fever_neutropenic"}
    neutropenic = found["symptom.fever_neutropenic"]
    assert neutropenic.severity is Severity.CRITICAL
    assert neutropenic.status is Status.UNVERIFIED
    assert "999/mcL" in neutropenic.detail and "1,000/mcL" in neutropenic.detail
    assert neutropenic.inputs["anc_per_ul"] == 999
    # the fever finding itself stays, so filtering unverified rules never hides the fever
    assert found["symptom.fever"].status is Status.SECONDARY


def test_the_neutropenia_threshold_reads_counts_in_any_accepted_unit():
    found = _by_id(_findings([Symptom.FEVER], labs=[lab("anc", 0.8, "10^9/L")]))
    assert found["symptom.fever_neutropenic"].inputs["anc_per_ul"] == pytest.approx(800)


def test_the_latest_neutrophil_count_decides():
    labs = [lab("anc", 500, "/uL", date="2026-11-01"), lab("anc", 2500, "/uL")]
    assert "symptom.fever_neutropenic" not in _by_id(_findings([Symptom.FEVER], labs=labs))
    labs = [lab("anc", 2500, "/uL", date="2026-11-01"), lab("anc", 500, "/uL")]
    assert "symptom.fever_neutropenic" in _by_id(_findings([Symptom.FEVER], labs=labs))


def test_fever_with_no_neutrophil_count_asks_for_one_now():
    found = _by_id(_findings([Symptom.FEVER], labs=[]))
    unknown = found["symptom.fever_anc_unknown"]
    assert unknown.severity is Severity.WARNING
    assert "complete blood count" in unknown.detail
    assert found["symptom.fever"].severity is Severity.WARNING


def test_neutropenia_without_fever_adds_no_symptom_finding():
    findings = _findings([Symptom.FATIGUE, Symptom.CHILLS], labs=[lab("anc", 300, "/uL")])
    # symptoms are a set: the case keeps them in the vocabulary's order, whatever the file's
    assert sorted(f.id for f in findings) == ["symptom.chills", "symptom.fatigue"]


def test_other_infection_signs_are_same_day_warnings():
    for symptom in (Symptom.CHILLS, Symptom.SORE_THROAT, Symptom.MOUTH_SORES):
        finding = _findings([symptom])[0]
        assert finding.severity is Severity.WARNING
        assert "today" in patient_instruction(symptom, KB)


# --- mouth sores with a rash: stop and seek care now ----------------------------------------


@pytest.mark.parametrize("skin", [Symptom.RASH, *SEVERE_SKIN])
def test_mouth_sores_with_a_rash_or_skin_reaction_escalate_to_critical(skin):
    findings = _findings([Symptom.MOUTH_SORES, skin])
    assert [f.id for f in findings] == ["symptom.mouth_sores_with_skin_reaction"]
    combined = findings[0]
    assert combined.severity is Severity.CRITICAL
    assert "Stop taking lenalidomide" in combined.detail
    assert combined.inputs["symptoms"] == ["mouth_sores", skin.value]


def test_mouth_sores_alone_stay_a_warning():
    assert _findings([Symptom.MOUTH_SORES])[0].severity is Severity.WARNING


def test_other_symptoms_keep_their_findings_next_to_the_combination():
    ids = {f.id for f in _findings([Symptom.RASH, Symptom.FATIGUE, Symptom.MOUTH_SORES])}
    assert ids == {"symptom.mouth_sores_with_skin_reaction", "symptom.fatigue"}


# --- missed period (§5: interrupt, pregnancy test and counselling; label) -------------------


def test_a_missed_period_in_a_female_patient_is_one_critical_finding_of_the_pregnancy_rules():
    result = _assess([Symptom.MISSED_PERIOD])
    about_period = [f for f in result.findings if "missed_period" in f.id]
    assert [f.id for f in about_period] == ["pregnancy.missed_period"]
    finding = about_period[0]
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert finding.status is Status.LABEL
    assert "pregnancy test" in finding.detail and "counselling" in finding.detail
    assert "Stop taking lenalidomide" in finding.detail  # facts §10: stop, call the prescriber
    assert "call the doctor who prescribes it" in finding.detail


def test_a_missed_period_in_a_male_patient_is_not_assessed():
    findings = _findings([Symptom.MISSED_PERIOD], patient={"sex": "male"})
    assert [f.id for f in findings] == ["symptom.missed_period_not_applicable"]
    assert findings[0].severity is Severity.INFO
    assert "input error" in findings[0].detail


def test_bleeding_is_the_same_symptom_finding_for_everyone():
    """Regression: a pregnancy note was added for every female, even after a hysterectomy; the
    pregnancy rules ask about menstrual bleeding only for females who can become pregnant."""
    female = _findings([Symptom.BLEEDING])[0]
    male = _findings([Symptom.BLEEDING], patient={"sex": "male"})[0]
    assert "pregnan" not in female.detail and "pregnan" not in male.detail
    assert female.severity is male.severity is Severity.WARNING
    assert "does not stop" in patient_instruction(Symptom.BLEEDING, KB)
    no_uterus = {**FEMALE, "reproductive": {"hysterectomy": True}}
    ids = {f.id for f in _assess([Symptom.BLEEDING], patient=no_uterus).findings}
    assert "symptom.bleeding" in ids and "pregnancy.bleeding_check" not in ids
    ids = {f.id for f in _assess([Symptom.BLEEDING]).findings}  # history unknown: may be FRP
    assert {"symptom.bleeding", "pregnancy.bleeding_check"} <= ids


# --- routine symptoms (§10) -----------------------------------------------------------------


def test_constipation_and_fatigue_instructions():
    assert "fewer than 3 bowel movements a week" in patient_instruction(Symptom.CONSTIPATION, KB)
    assert "prevent" in patient_instruction(Symptom.CONSTIPATION, KB)
    assert "driving" in patient_instruction(Symptom.FATIGUE, KB)


def test_a_symptom_reported_twice_gives_one_finding_and_none_gives_none():
    assert len(_findings([Symptom.FATIGUE, Symptom.FATIGUE])) == 1
    assert _findings([]) == []


# --- property: any symptom list is handled without an exception ----------------------------


@settings(max_examples=150, deadline=None)
@given(
    symptoms=st.lists(st.sampled_from(list(Symptom)), max_size=10),
    sex=st.sampled_from(["female", "male"]),
    anc=st.one_of(st.none(), st.integers(min_value=0, max_value=20_000)),
)
def test_random_symptom_lists_never_raise_and_every_symptom_is_answered(symptoms, sex, anc):
    labs = [] if anc is None else [lab("anc", anc, "/uL")]
    findings = evaluate(make_case(patient={"sex": sex}, symptoms=symptoms, labs=labs), KB).findings
    ids = [f.id for f in findings]
    assert len(ids) == len(set(ids))
    answered = set()
    for finding in findings:
        assert finding.category is Category.SYMPTOM
        answered |= {finding.inputs.get("symptom")} | set(finding.inputs.get("symptoms", []))
    assert {s.value for s in symptoms} <= answered | {
        s.value for s in symptoms if s is Symptom.RASH and set(SEVERE_SKIN) & set(symptoms)
    } | ({Symptom.MISSED_PERIOD.value} if sex == "female" else set())
    critical_reported = any(EXPECTED[s][0] is Severity.CRITICAL for s in symptoms)
    if not critical_reported and Symptom.FEVER not in symptoms:
        mouth_and_skin = Symptom.MOUTH_SORES in symptoms and Symptom.RASH in symptoms
        assert mouth_and_skin or all(f.severity is not Severity.CRITICAL for f in findings)


@settings(max_examples=60, deadline=None)
@given(
    symptoms=st.lists(st.sampled_from(list(Symptom)), min_size=1, max_size=6),
    sex=st.sampled_from(["female", "male"]),
    hysterectomy=st.sampled_from([None, True, False]),
)
def test_through_assess_every_reported_symptom_is_answered_once_and_critical_ones_block(
    symptoms, sex, hysterectomy
):
    """The assessment answers each symptom in a symptom or pregnancy finding, a missed period
    in a female by exactly one finding, and every critical one of them blocks."""
    patient: dict = {"sex": sex, "age_years": 40}
    if sex == "female" and hysterectomy is not None:
        patient["reproductive"] = {"hysterectomy": hysterectomy}
    result = _assess(symptoms, patient=patient)
    answering = [f for f in result.findings if f.category in (Category.SYMPTOM, Category.PREGNANCY)]
    answered: set[str] = set()
    for finding in answering:
        answered |= {finding.inputs.get("symptom")} | set(finding.inputs.get("symptoms", []))
        if finding.severity is Severity.CRITICAL:
            assert finding.id in result.blocking
    covered = answered | ({Symptom.RASH.value} if set(SEVERE_SKIN) & set(symptoms) else set())
    assert {s.value for s in symptoms} <= covered
    period = [f for f in answering if "missed_period" in f.id]
    if Symptom.MISSED_PERIOD in symptoms:
        assert len(period) == 1
        if sex == "female":
            assert period[0].severity is Severity.CRITICAL
