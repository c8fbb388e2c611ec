"""FHIR R4 → case: the mapping of each resource type, unit conversions, and the notes for data
that cannot be mapped (never a guess)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.errors import CaseError
from lenaguard.interop.fhir import case_from_fhir
from lenaguard.interop.fhir.read import READ_TYPES
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import EventKind, Frequency, Indication, LabTest, QualitativeResult
from tests.interop.fhir_factories import (
    CPT,
    ICD10CM,
    ORDER_SIGN,
    SNOMED,
    SYNTHEA,
    bundle,
    coded,
    condition,
    load,
    myeloma,
    observation,
    order,
    patient,
)

KB = default_knowledge()
TODAY = dt.date(2026, 11, 30)


def mapped(*resources, indication=None, today=TODAY):
    return case_from_fhir(bundle(*resources), today=today, kb=KB, indication=indication)


def ids(result) -> list[str]:
    return [note.id for note in result.notes]


def note(result, finding_id: str):
    found = [n for n in result.notes if n.id == finding_id]
    assert found, f"{finding_id} not among {ids(result)}"
    return found[0]


# --- the shared fixtures -----------------------------------------------------------------


@pytest.mark.parametrize("path", SYNTHEA, ids=lambda p: p.name.split("_")[-1])
def test_the_synthea_bundles_are_valid_r4_and_map_to_a_case(path):
    data = load(path)
    Bundle.model_validate(data)  # valid R4 (R4B models)
    result = case_from_fhir(data, today=TODAY, kb=KB, indication=Indication.MM_COMBINATION)
    fhir_patient = next(
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert result.case.patient.id == fhir_patient["id"]
    assert result.case.patient.sex.value == fhir_patient["gender"]
    assert str(result.case.patient.birth_date) == fhir_patient["birthDate"]
    assessment = assess(result.case, KB, notes=result.notes)
    assert assessment.patient_id == fhir_patient["id"]


def test_the_synthea_bundles_name_no_indication_so_one_must_be_given():
    with pytest.raises(CaseError) as raised:
        case_from_fhir(load(SYNTHEA[0]), today=TODAY, kb=KB)
    (field, message), *_ = raised.value.problems
    assert field == "indication"
    assert "--indication" in message and "?indication=" in message


def test_synthea_current_orders_become_medications_and_a_death_is_noted():
    path = next(p for p in SYNTHEA if "deceased" in p.name)
    result = case_from_fhir(load(path), today=TODAY, kb=KB, indication=Indication.FL)
    names = " ".join(m.name or "" for m in result.case.medications).lower()
    assert "metformin" in names and "lisinopril" in names
    assert note(result, "input.fhir_patient_deceased").severity.value == "warning"


def test_stopped_synthea_orders_are_not_current_medications():
    path = next(p for p in SYNTHEA if "a4a401d1" in p.name)
    result = case_from_fhir(load(path), today=TODAY, kb=KB, indication=Indication.FL)
    assert result.case.medications == []  # every order there is stopped
    assert result.case.conditions.pregnant is None  # the pregnancies are resolved


def _order_sign_case(indication=Indication.MM_COMBINATION):
    request = load(ORDER_SIGN)
    documents = [
        ("prefetch.patient", request["prefetch"]["patient"]),
        ("prefetch.labs", request["prefetch"]["labs"]),
        ("context.draftOrders", request["context"]["draftOrders"]),
    ]
    return case_from_fhir(documents, today=dt.date(2025, 1, 6), kb=KB, indication=indication)


def test_the_order_sign_prefetch_maps_to_its_labs():
    case = _order_sign_case().case
    latest = {test: case.latest(test) for test in LabTest}
    assert latest[LabTest.CREATININE].canonical_value == pytest.approx(1.9)
    assert latest[LabTest.CREATININE].unit == "mg/dL"
    assert latest[LabTest.ANC].canonical_value == pytest.approx(2100)
    assert latest[LabTest.PLATELETS].canonical_value == pytest.approx(145_000)
    assert case.weight_kg == pytest.approx(62) and case.height_cm == pytest.approx(165)
    assert latest[LabTest.PREGNANCY].result is QualitativeResult.NEGATIVE
    assert latest[LabTest.HBSAG] is None
    assert case.patient.sex.value == "female" and str(case.patient.birth_date) == "1981-11-03"


def test_the_draft_order_is_the_proposal_never_an_event():
    result = _order_sign_case()
    assert result.case.therapy is None
    (proposal,) = result.proposals
    assert proposal.dose_mg == 25 and proposal.rxnorm == ["643720"]
    assert proposal.frequency is Frequency.DAILY
    assert proposal.supply_days == 28 and proposal.refills == 0
    assert proposal.where == "context.draftOrders.entry.0.resource"


def test_the_order_sign_case_is_moderate_renal_with_rems_and_hbv_gaps():
    result = _order_sign_case()
    assessment = assess(result.case, KB, notes=result.notes)
    assert assessment.renal is not None and assessment.renal.band.value == "moderate"
    found = {f.id for f in assessment.findings}
    assert "infection.hbv_screening_needed" in found
    assert any(i.startswith("pregnancy.") and "test" in i for i in found)


# --- observations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loinc", "value", "ucum", "test", "canonical"),
    [
        ("14682-9", 168, "umol/L", LabTest.CREATININE, 168 / 88.4),
        ("38483-4", 1.2, "mg/dL", LabTest.CREATININE, 1.2),
        ("751-8", 1.5, "10*9/L", LabTest.ANC, 1500),
        ("751-8", 1.5, "10*3/mm3", LabTest.ANC, 1500),
        ("777-3", 90, "10*3/uL", LabTest.PLATELETS, 90_000),
        ("29463-7", 154, "[lb_av]", LabTest.WEIGHT, 154 * 0.45359237),
        ("8302-2", 65, "[in_i]", LabTest.HEIGHT, 65 * 2.54),
        ("2465-3", 12, "g/L", LabTest.IGG, 1200),
        ("36916-5", 25, "mg/L", LabTest.KAPPA_FLC, 2.5),
        ("33358-3", 1.1, "g/dL", LabTest.SERUM_M_PROTEIN, 1.1),
        ("42482-0", 0.4, "g/(24.h)", LabTest.URINE_M_PROTEIN, 400),
        ("42595-9", 350, "[IU]/mL", LabTest.HBV_DNA, 350),
    ],
)
def test_units_are_converted_to_the_canonical_unit(loinc, value, ucum, test, canonical):
    result = mapped(patient(), observation(loinc, value=value, ucum=ucum), myeloma())
    lab = result.case.latest(test)
    assert lab is not None and lab.canonical_value == pytest.approx(canonical)
    assert not [i for i in ids(result) if "unit" in i]


def test_the_unit_text_is_read_when_there_is_no_ucum_code():
    result = mapped(patient(), observation("751-8", value=800, unit="cells/uL"), myeloma())
    assert result.case.latest(LabTest.ANC).canonical_value == 800


def test_an_unknown_unit_is_reported_and_the_result_left_out():
    result = mapped(patient(), observation("751-8", value=45, unit="%", ucum="%"), myeloma())
    assert result.case.latest(LabTest.ANC) is None
    finding = note(result, "input.fhir_unknown_unit_anc")
    assert "%" in finding.detail and finding.status.value == "secondary"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {
                "valueQuantity": {
                    "value": 20,
                    "comparator": "<",
                    "system": "http://unitsofmeasure.org",
                    "code": "[IU]/mL",
                }
            },
            "written as <",
        ),
        ({"effectiveDateTime": "2026-11"}, "partial date"),
        ({"effectiveDateTime": "2026-12-02"}, "after the assessment date"),
        ({"valueQuantity": None, "dataAbsentReason": {"text": "specimen hemolysed"}}, "hemolysed"),
    ],
)
def test_results_that_cannot_be_read_exactly_are_reported(change, reason):
    resource = observation("42595-9", value=20, ucum="[IU]/mL")
    resource = {k: v for k, v in (resource | change).items() if v is not None}
    result = mapped(patient(), resource, myeloma())
    assert result.case.latest(LabTest.HBV_DNA) is None
    assert reason in note(result, "input.fhir_result_unreadable_hbv_dna").detail


def test_results_not_final_and_codes_not_read_are_counted():
    result = mapped(
        patient(),
        observation("2160-0", value=1.0, ucum="mg/dL", status="preliminary"),
        observation("2339-0", value=95, ucum="mg/dL"),  # glucose: not read
        {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}},
        myeloma(),
    )
    assert result.case.latest(LabTest.CREATININE) is None
    counts = note(result, "input.fhir_not_used").inputs["counts"]
    assert counts == {
        "Encounter resources": 1,
        "observations with codes lenaguard does not read": 1,
        "preliminary observations (not final)": 1,
    }


def test_two_different_results_nothing_orders_are_both_left_out():
    result = mapped(
        patient(),
        observation("2160-0", value=1.0, ucum="mg/dL", when="2026-11-20"),
        observation("2160-0", value=2.0, ucum="mg/dL", when="2026-11-20"),
        observation("2160-0", value=1.1, ucum="mg/dL", when="2026-11-10"),
        myeloma(),
    )
    assert [lab.value for lab in result.case.series(LabTest.CREATININE)] == [1.1]
    assert "2026-11-20" in note(result, "input.fhir_results_conflict_creatinine").detail


def test_timed_results_keep_their_order_and_a_repeat_counts_once():
    result = mapped(
        patient(),
        observation("2160-0", value=1.0, ucum="mg/dL", when="2026-11-20T08:00:00-05:00"),
        observation("2160-0", value=2.0, ucum="mg/dL", when="2026-11-20T16:00:00-05:00"),
        observation("2160-0", value=2.0, ucum="mg/dL", when="2026-11-20T16:00:00-05:00"),
        myeloma(),
    )
    assert [lab.value for lab in result.case.series(LabTest.CREATININE)] == [1.0, 2.0]
    assert result.case.latest(LabTest.CREATININE).time == dt.time(16, 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"valueCodeableConcept": coded(SNOMED, "10828004", "Positive")},
            QualitativeResult.POSITIVE,
        ),
        (
            {"valueCodeableConcept": coded(SNOMED, "260385009", "Negative")},
            QualitativeResult.NEGATIVE,
        ),
        ({"valueString": "Non-reactive"}, QualitativeResult.NEGATIVE),
        (
            {
                "interpretation": [
                    coded(
                        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "POS"
                    )
                ]
            },
            QualitativeResult.POSITIVE,
        ),
    ],
)
def test_qualitative_results_are_read_from_codes_words_and_interpretations(value, expected):
    result = mapped(patient(), observation("5196-1", **value), myeloma())
    assert result.case.latest(LabTest.HBSAG).result is expected


def test_a_qualitative_result_that_says_neither_is_reported():
    resource = observation("2106-3", valueCodeableConcept={"text": "equivocal"})
    result = mapped(patient(), resource, myeloma())
    assert result.case.latest(LabTest.PREGNANCY) is None
    assert "equivocal" in note(result, "input.fhir_result_unreadable_pregnancy").detail


# --- lenalidomide orders -----------------------------------------------------------------


def test_orders_give_start_dose_changes_and_a_dated_stop_never_holds():
    result = mapped(
        patient(),
        myeloma(),
        order("643720", status="completed", authored="2026-03-02", dose=25),
        order("643720", status="completed", authored="2026-03-30", dose=25),
        # 2 capsules of the 10 mg product = 20 mg
        order("602910", status="completed", authored="2026-05-04", dose=2, dose_unit="{pill}"),
        order(
            "602910",
            status="stopped",
            authored="2026-06-01",
            dose=10,
            dosageInstruction=[
                {
                    "doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg"}}],
                    "timing": {"repeat": {"boundsPeriod": {"end": "2026-06-20"}}},
                }
            ],
        ),
    )
    events = [(e.date, e.event, e.dose_mg) for e in result.case.therapy.events]
    assert events == [
        (dt.date(2026, 3, 2), EventKind.START, 25),
        (dt.date(2026, 5, 4), EventKind.DOSE_CHANGE, 20),
        (dt.date(2026, 6, 20), EventKind.STOP, None),
    ]
    timeline = note(result, "input.fhir_timeline_unconfirmed")
    assert "2026-03-02" in timeline.summary and "hold" in timeline.detail.lower()


def test_every_48_hours_is_read_from_the_timing():
    result = mapped(
        patient(), myeloma(), order("602912", authored="2026-10-01", dose=5, period_days=2)
    )
    (start,) = result.case.therapy.events
    assert start.frequency is Frequency.EVERY_48H and start.dose_mg == 5


def test_a_draft_and_an_entered_in_error_order_are_not_events():
    result = mapped(
        patient(),
        myeloma(),
        order("643720", status="draft", authored="2026-11-30"),
        order("643720", status="entered-in-error", authored="2026-10-01"),
    )
    assert result.case.therapy is None
    assert [p.dose_mg for p in result.proposals] == [25]


def test_an_unreadable_first_dose_blocks_instead_of_guessing_a_course():
    result = mapped(
        patient(), myeloma(), order("342369", authored="2026-10-01", dose=1, dose_unit="{pill}")
    )
    assert result.case.therapy is None
    finding = note(result, "input.fhir_lenalidomide_dose_unreadable")
    assert finding.blocking and "no known strength" in finding.detail
    assessment = assess(result.case, KB, notes=result.notes)
    assert assessment.readiness.value == "not_ready"
    assert "input.fhir_lenalidomide_dose_unreadable" in assessment.blocking


def test_a_dose_that_is_not_a_capsule_strength_is_not_read():
    result = mapped(
        patient(),
        myeloma(),
        order("643720", authored="2026-09-01", dose=25),
        order("643720", authored="2026-10-01", dose=12.5),
    )
    assert [e.dose_mg for e in result.case.therapy.events] == [25]
    finding = note(result, "input.fhir_lenalidomide_dose_unreadable")
    assert not finding.blocking and "12.5 mg is not a capsule strength" in finding.detail


def test_a_stop_without_a_date_is_reported_and_the_course_left_under_way():
    result = mapped(
        patient(),
        myeloma(),
        order("643720", status="completed", authored="2026-09-01"),
        order("643720", status="stopped", authored="2026-10-01"),
    )
    assert [e.event for e in result.case.therapy.events] == [EventKind.START]
    assert note(result, "input.fhir_stop_date_missing").severity.value == "warning"


def test_a_medication_reference_is_followed():
    medication = {
        "resourceType": "Medication",
        "id": "len10",
        "code": coded("http://www.nlm.nih.gov/research/umls/rxnorm", "602910"),
    }
    request = order("1", authored="2026-09-01", dose=1, dose_unit="{pill}")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/len10"}
    result = mapped(patient(), myeloma(), medication, request)
    assert [e.dose_mg for e in result.case.therapy.events] == [10]


def test_interacting_drugs_are_read_by_rxnorm_and_by_name():
    result = mapped(
        patient(),
        myeloma(),
        order("11289", authored="2026-10-01", dose=5, display="warfarin 5 MG Oral Tablet"),
        order("243670", authored="2026-10-01", dose=81, display="Aspirin 81 MG Oral Tablet"),
        order("3264", status="stopped", authored="2026-01-01", display="dexamethasone"),
    )
    meds = {(m.rxnorm, m.dose_mg) for m in result.case.medications}
    assert meds == {("11289", 5), ("243670", 81)}
    assessment = assess(result.case, KB, notes=result.notes)
    found = {f.id for f in assessment.findings}
    assert any(i.startswith("interaction.warfarin") for i in found), found


# --- conditions, procedures, the indication ---------------------------------------------


def test_myeloma_after_an_autologous_transplant_is_maintenance_and_asks_to_confirm():
    procedure = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": coded(CPT, "38241"),
        "subject": {"reference": "Patient/p1"},
    }
    result = mapped(patient(), condition(ICD10CM, "C90.01"), procedure)
    assert result.case.indication is Indication.MM_MAINTENANCE
    assert result.case.conditions.autologous_hsct is True
    assert "38241" in note(result, "input.fhir_indication_inferred").detail


@pytest.mark.parametrize(
    ("system", "code", "indication"),
    [
        (ICD10CM, "C90.00", Indication.MM_COMBINATION),
        (ICD10CM, "D46.C", Indication.MDS_DEL5Q),
        (ICD10CM, "C83.18", Indication.MCL),
        (ICD10CM, "C82.09", Indication.FL),
        (ICD10CM, "C88.4", Indication.MZL),
        (SNOMED, "109989006", Indication.MM_COMBINATION),
    ],
)
def test_each_indication_is_read_from_its_diagnosis(system, code, indication):
    assert mapped(patient(), condition(system, code)).case.indication is indication


def test_several_indications_are_an_error_naming_them():
    with pytest.raises(CaseError) as raised:
        mapped(patient(), condition(ICD10CM, "C90.00"), condition(ICD10CM, "C83.10"))
    (field, message), *_ = raised.value.problems
    assert field == "indication" and "mcl" in message and "myeloma" in message


def test_a_given_indication_wins_and_a_disagreeing_diagnosis_is_noted():
    result = mapped(patient(), condition(ICD10CM, "C83.10"), indication=Indication.FL)
    assert result.case.indication is Indication.FL
    assert "mcl" in note(result, "input.fhir_indication_differs").summary


def test_a_refuted_diagnosis_is_not_read():
    refuted = condition(
        ICD10CM,
        "C83.10",
        verificationStatus=coded(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"
        ),
    )
    assert mapped(patient(), refuted, myeloma()).case.indication is Indication.MM_COMBINATION


def test_vte_history_counts_resolved_and_pregnancy_only_active():
    result = mapped(
        patient(),
        myeloma(),
        condition(SNOMED, "128053003", clinical="resolved", abatementDateTime="2020-01-01"),
        condition(SNOMED, "72892002", clinical="resolved", abatementDateTime="2021-01-01"),
    )
    assert result.case.conditions.vte_history is True
    assert result.case.conditions.pregnant is None
    pregnant = mapped(patient(), myeloma(), condition(ICD10CM, "Z33.1"))
    assert pregnant.case.conditions.pregnant is True


def test_hepatitis_b_and_ambiguous_diagnoses_become_notes():
    result = mapped(patient(), myeloma(), condition(ICD10CM, "B18.1"), condition(ICD10CM, "Z94.84"))
    assert "B18.1" in note(result, "input.fhir_hbv_diagnosis").detail
    assert "Z94.84" in note(result, "input.fhir_ambiguous_diagnosis").detail


# --- the patient and the input as a whole ------------------------------------------------


def test_resources_about_another_patient_are_left_out():
    result = mapped(
        patient(), myeloma(), observation("2160-0", value=3.0, ucum="mg/dL", pid="someone-else")
    )
    assert result.case.latest(LabTest.CREATININE) is None
    assert note(result, "input.fhir_other_patient").inputs["resources"] == ["entry.2.resource"]


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ((myeloma(),), "Patient"),
        ((patient(), patient("p2"), myeloma()), "Patient"),
        ((patient(gender="unknown"), myeloma()), "entry.0.resource.gender"),
        ((patient(birthDate="1960"), myeloma()), "entry.0.resource.birthDate"),
        (
            (patient(), myeloma(), observation("2160-0", valueQuantity={"value": "abc"})),
            "entry.2.resource.valueQuantity.value",
        ),
    ],
)
def test_unusable_input_is_an_error_naming_the_fhir_field(resources, field):
    with pytest.raises(CaseError) as raised:
        mapped(*resources)
    assert raised.value.problems[0].field == field


def test_a_case_error_after_mapping_names_the_fhir_entry():
    # a creatinine of 88 mg/dL is impossible (a µmol/L value in the wrong unit)
    with pytest.raises(CaseError) as raised:
        mapped(patient(), myeloma(), observation("2160-0", value=88, ucum="mg/dL"))
    assert raised.value.problems[0].field.startswith("entry.2.resource (labs.0")


def test_mapping_notes_reach_the_assessment_and_its_actions():
    result = mapped(patient(), myeloma(), observation("751-8", value=45, ucum="%"))
    assessment = assess(result.case, KB, notes=result.notes)
    assert "input.fhir_unknown_unit_anc" in {f.id for f in assessment.findings}
    assert "input.fhir_unknown_unit_anc" in {a.finding_id for a in assessment.actions}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"resourceType": "Bundle", "entry": 5}, "entry"),
        ({"resourceType": "Bundle", "entry": [{"resource": [1, 2]}]}, "entry.0.resource"),
        ({"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]}, "entry.0.resource"),
        ({"resourceType": "Patient", "gender": 7}, "(case).gender"),
    ],
)
def test_malformed_fhir_is_refused_naming_where(document, field):
    with pytest.raises(CaseError) as raised:
        case_from_fhir(document, today=TODAY, kb=KB)
    assert raised.value.problems[0].field == field


def test_a_nested_bundle_is_opened():
    inner = bundle(observation("2160-0", value=1.3, ucum="mg/dL"))
    result = mapped(patient(), myeloma(), inner)
    assert result.case.latest(LabTest.CREATININE).value == 1.3


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    [
        "gender",
        "birthDate",
        "status",
        "code",
        "valueQuantity",
        "subject",
        "effectiveDateTime",
        "medicationCodeableConcept",
        "dosageInstruction",
        "authoredOn",
        "clinicalStatus",
        "entry",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"resourceType": st.sampled_from(sorted(READ_TYPES | {"Bundle", "Encounter"}))}
        ).flatmap(
            lambda base: st.dictionaries(_FIELDS, _JSON, max_size=4).map(lambda extra: base | extra)
        ),
        max_size=4,
    )
)
def test_any_json_is_mapped_or_refused_with_a_case_error(resources):
    with contextlib.suppress(CaseError):  # a refusal names its field; anything else fails
        case_from_fhir(bundle(patient(), myeloma(), *resources), today=TODAY, kb=KB)


def test_orders_of_one_day_with_different_doses_are_not_read_as_a_dose():
    result = mapped(
        patient(),
        myeloma(),
        order("602910", authored="2026-09-01", dose=10),
        order("602912", authored="2026-09-01", dose=5),
    )
    assert result.case.therapy is None
    finding = note(result, "input.fhir_lenalidomide_dose_unreadable")
    assert finding.blocking and "5 mg and 10 mg" in finding.detail


def test_the_sandbox_draft_shape_reads_capsules_of_the_product():
    """The CDS Hooks sandbox sends RxNorm 643720 with `{value: 1, code: "{pill}"}` (no unit
    system) and a 30-day supply: one 25 mg capsule."""
    draft = order("643720", status="draft", authored="2026-11-30", dose=None)
    draft["dosageInstruction"] = [
        {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{pill}"}}]}
    ]
    draft["dispenseRequest"] = {"expectedSupplyDuration": {"value": 30, "unit": "days"}}
    (proposal,) = mapped(patient(), myeloma(), draft).proposals
    assert proposal.dose_mg == 25 and proposal.supply_days == 30 and proposal.dose_problem is None
