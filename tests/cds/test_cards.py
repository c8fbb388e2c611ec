"""Cards: the authored order-sign request, the dose and REMS cards, every card rule (including
the 3.0 invariants), and every resource in a suggestion validating as R4 (R4B models)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from lenaguard.interop.cds_hooks import HookRequest, assess_hook, build_cards, parse_context
from lenaguard.interop.cds_hooks.cards import Assessed, recommended_dose
from lenaguard.interop.cds_hooks.models import Action, Card, Source, Suggestion
from lenaguard.knowledge.topics.fhir import FhirKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.vocab import LabTest
from tests.cds.conftest import ORDER_SIGN, order_sign_request

TODAY = dt.date(2025, 1, 6)
NULL_PREFETCH = {"conditions": None, "medications": None, "statements": None, "procedures": None}


def _draft(body: dict) -> dict:
    return body["context"]["draftOrders"]["entry"][0]["resource"]


def _hook(body: dict, kb):
    request = HookRequest.model_validate(body)
    prefetch = {**NULL_PREFETCH, **(request.prefetch or {})}
    return assess_hook(request, parse_context(request), prefetch, today=TODAY, kb=kb)


def _cards(body: dict, kb, link: str | None = "https://lenaguard.example.org/assessments/x"):
    outcome = _hook(body, kb)
    return build_cards(outcome.assessed, kb, draft=outcome.draft, link=link)


def _by_type(issued) -> dict:
    return {item.card_type: item.card for item in issued}


def _resources(card: Card) -> list[dict]:
    return [a.resource for s in card.suggestions or [] for a in s.actions if a.resource]


def _with_dose(body: dict, mg: float, product: str) -> dict:
    draft = _draft(body)
    draft["medicationCodeableConcept"]["coding"][0]["code"] = product
    draft["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = mg
    return body


def _strength_codes(kb, mg: float) -> list[str]:
    strengths = kb.get(FhirKnowledge).lenalidomide_products.strengths_mg
    return [code for code, value in strengths.items() if value == mg]


# --- the authored order-sign request ---------------------------------------------------------


def test_the_authored_request_yields_renal_rems_and_hbv_cards(call):
    response = call(ORDER_SIGN, order_sign_request())
    assert response.status_code == 200
    cards = response.json()["cards"]
    summaries = " | ".join(card["summary"] for card in cards)
    assert "kidney function" in summaries and "moderate band" in summaries
    assert "pregnancy test" in summaries  # the REMS pregnancy-test gap
    assert "Hepatitis B screening" in summaries


def test_the_renal_card_replaces_the_draft_with_the_adjusted_dose(kb):
    body = order_sign_request()
    issued = _by_type(_cards(body, kb))
    card = issued["dose.renal"]
    outcome = _hook(body, kb)
    dose = recommended_dose(outcome.assessed[0].assessment)
    assert dose is not None and dose.dose_mg < 25  # moderate band: lower than the 25 mg ordered
    assert card.indicator == "critical"  # the order is above the dose for this kidney function
    (suggestion,) = card.suggestions
    (action,) = suggestion.actions
    assert action.type == "update"
    resource = action.resource
    assert resource["id"] == _draft(body)["id"] and resource["status"] == "draft"
    (coding,) = resource["medicationCodeableConcept"]["coding"]
    assert coding["code"] in _strength_codes(kb, dose.dose_mg)
    (dosage,) = resource["dosageInstruction"]
    assert dosage["doseAndRate"][0]["doseQuantity"] == {
        "value": dose.dose_mg,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "d"}
    first, last = dose.days_on
    assert f"days {first}-{last} of each {dose.cycle_days}-day cycle" in dosage["text"]
    limits = kb.get(RemsKnowledge).prescription_limits
    dispense = resource["dispenseRequest"]
    assert dispense["expectedSupplyDuration"]["value"] <= limits.max_days_supply
    assert dispense["quantity"]["value"] == last - first + 1  # one capsule per dosing day
    assert dispense["numberOfRepeatsAllowed"] == limits.max_refills


def test_the_pregnancy_test_card_orders_the_test_by_the_earliest_prescribing_date(kb):
    card = _by_type(_cards(order_sign_request(), kb))["pregnancy.first_test_missing"]
    assert card.indicator == "critical"
    (resource,) = _resources(card)
    assert resource["resourceType"] == "ServiceRequest" and resource["intent"] == "order"
    hcg = kb.get(LabsKnowledge).tests[LabTest.PREGNANCY].loinc
    assert resource["code"]["coding"][0]["code"] in hcg
    assert resource["occurrenceDateTime"] > TODAY.isoformat()


def test_the_hbv_card_orders_each_missing_marker(kb):
    card = _by_type(_cards(order_sign_request(), kb))["infection.hbv_screening_needed"]
    assert card.indicator == "warning"
    codes = {r["code"]["coding"][0]["code"] for r in _resources(card)}
    labs = kb.get(LabsKnowledge).tests
    assert codes == {labs[t].loinc[0] for t in (LabTest.HBSAG, LabTest.ANTI_HBC, LabTest.ANTI_HBS)}


def _myeloma(body: dict) -> dict:
    """The request with the patient's myeloma on record (the indication known)."""
    body["prefetch"]["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": _myeloma_condition(body["context"]["patientId"])}],
    }
    return body


def test_an_order_already_at_the_right_dose_gets_no_renal_card(kb):
    body = _myeloma(order_sign_request())
    dose = recommended_dose(_hook(body, kb).assessed[0].assessment)
    right = _with_dose(body, dose.dose_mg, _strength_codes(kb, dose.dose_mg)[0])
    types = _by_type(_cards(right, kb))
    assert not [t for t in types if t.startswith("dose.")]
    assert "infection.hbv_screening_needed" in types  # the other gaps remain


def test_an_order_below_the_dose_is_a_warning_not_critical(kb):
    body = _with_dose(_myeloma(order_sign_request()), 5, _strength_codes(kb, 5)[0])
    card = _by_type(_cards(body, kb))["dose.renal"]
    assert card.indicator == "warning" and "not 5 mg as ordered" in card.summary


# --- REMS supply -----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "refills"), [(30, 0), (28, 1), (84, 2)])
def test_a_draft_over_the_rems_supply_or_with_refills_gets_a_rems_card(kb, days, refills):
    body = order_sign_request()
    dispense = _draft(body)["dispenseRequest"]
    dispense["expectedSupplyDuration"]["value"] = days
    dispense["numberOfRepeatsAllowed"] = refills
    card = _by_type(_cards(body, kb))["rems.supply"]
    limits = kb.get(RemsKnowledge).prescription_limits
    assert card.indicator == "critical"
    (resource,) = _resources(card)
    fixed = resource["dispenseRequest"]
    assert fixed["expectedSupplyDuration"]["value"] == min(days, limits.max_days_supply)
    assert fixed["numberOfRepeatsAllowed"] == limits.max_refills
    assert fixed["quantity"]["value"] <= dispense["quantity"]["value"]


def test_a_draft_within_the_rems_limits_gets_no_rems_card(kb):
    assert "rems.supply" not in _by_type(_cards(order_sign_request(), kb))


# --- the indication ------------------------------------------------------------------------


def _myeloma_condition(patient_id: str) -> dict:
    return {
        "resourceType": "Condition",
        "id": "mm",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C90.00"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
    }


def test_a_recorded_indication_is_assessed_once(kb):
    outcome = _hook(_myeloma(order_sign_request()), kb)
    assert [(a.assessment.indication.value, a.assumed) for a in outcome.assessed] == [
        ("mm_combination", False)
    ]


def test_the_orders_reason_code_names_the_indication(kb):
    body = order_sign_request()
    _draft(body)["reasonCode"] = [_myeloma_condition("x")["code"]]
    outcome = _hook(body, kb)
    assert [a.assessment.indication.value for a in outcome.assessed] == ["mm_combination"]
    assert not outcome.assessed[0].assumed


def test_an_unknown_indication_is_assessed_for_each_one_the_draft_fits(kb):
    from lenaguard.knowledge.topics.indications import IndicationsKnowledge

    outcome = _hook(order_sign_request(), kb)
    entries = kb.get(IndicationsKnowledge)
    fitting = {i for i in entries.indications if entries.entry(i).dose_mg == 25}
    assert {a.assessment.indication for a in outcome.assessed} == fitting
    assert all(a.assumed for a in outcome.assessed)


def test_one_suggestion_per_dose_the_indications_call_for_at_most_one(kb):
    outcome = _hook(order_sign_request(), kb)
    doses = {recommended_dose(a.assessment) for a in outcome.assessed}
    card = _by_type(build_cards(outcome.assessed, kb, draft=outcome.draft))["dose.renal"]
    assert len(card.suggestions) == len(doses)
    assert card.selectionBehavior == "at-most-one"
    if len(doses) > 1:
        assert all(s.label.startswith("If ") for s in card.suggestions)


def test_alternative_doses_are_offered_as_labelled_alternatives(kb):
    """Two assumed indications calling for different doses: one suggestion each."""
    outcome = _hook(order_sign_request(), kb)
    first = outcome.assessed[0].assessment
    plan = first.dose
    other_plan = plan.model_copy(update={"resume": plan.resume.model_copy(update={"dose_mg": 5.0})})
    other = Assessed(first.model_copy(update={"dose": other_plan}), assumed=True)
    card = _by_type(build_cards([outcome.assessed[0], other], kb, draft=outcome.draft))[
        "dose.renal"
    ]
    assert len(card.suggestions) == 2
    assert all(s.label.startswith("If ") for s in card.suggestions)
    assert "depends on the indication" in card.summary


# --- all is well ---------------------------------------------------------------------------


def test_no_card_when_all_is_well(kb):
    body = _myeloma(order_sign_request())
    outcome = _hook(body, kb)
    dose = recommended_dose(outcome.assessed[0].assessment)
    right = _hook(_with_dose(body, dose.dose_mg, _strength_codes(kb, dose.dose_mg)[0]), kb)
    calm = [Assessed(a.assessment.model_copy(update={"actions": []})) for a in right.assessed]
    assert build_cards(calm, kb, draft=right.draft) == []


# --- card rules ----------------------------------------------------------------------------


def _all_cards(kb) -> list[Card]:
    bodies = [order_sign_request()]
    long = order_sign_request()
    _draft(long)["dispenseRequest"]["numberOfRepeatsAllowed"] = 3
    bodies.append(long)
    return [item.card for body in bodies for item in _cards(body, kb)]


def test_every_card_follows_the_card_rules(kb):
    cards = _all_cards(kb)
    assert cards
    for card in cards:
        data = card.to_json()
        assert 0 < len(data["summary"]) < 140
        assert data["indicator"] in ("info", "warning", "critical")
        assert data["source"]["label"]
        assert data["source"].get("url", "https://").startswith("https://")
        assert data["detail"] and "**Sources:**" in data["detail"]
        assert data["overrideReasons"] and all(r["code"] for r in data["overrideReasons"])
        for link in data.get("links", []):
            assert link["type"] in ("absolute", "smart") and link["url"].startswith("https://")
        if data.get("suggestions"):
            assert data["selectionBehavior"] in ("at-most-one", "any")
        for suggestion in data.get("suggestions", []):
            assert suggestion["label"] and suggestion["uuid"]
            for action in suggestion["actions"]:
                assert action["type"] in ("create", "update", "delete")
                assert action["description"]
                if action["type"] == "delete":
                    assert action["resourceId"]


def test_every_resource_in_a_suggestion_validates_as_r4(kb):
    resources = [r for card in _all_cards(kb) for r in _resources(card)]
    assert {r["resourceType"] for r in resources} >= {"MedicationRequest", "ServiceRequest"}
    for resource in resources:
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(copy.deepcopy(resource))


def test_a_started_medication_is_a_valid_draft_medication_request(kb):
    from lenaguard.interop.cds_hooks import orders

    resource = orders.medication_to_start("aspirin", "p1", kb, reason="VTE prophylaxis")
    get_fhir_model_class("MedicationRequest").model_validate(resource)
    assert resource["medicationCodeableConcept"]["text"] == "Aspirin"


def test_the_card_models_enforce_the_3_0_invariants():
    source = Source(label="lenaguard")
    action = Action(type="create", description="Order", resource={"resourceType": "ServiceRequest"})
    suggestion = Suggestion(label="Order it", actions=[action])
    with pytest.raises(ValidationError, match="selectionBehavior"):
        Card(summary="s", indicator="info", source=source, suggestions=[suggestion])
    with pytest.raises(ValidationError, match="description"):
        Action(type="create", resource={"resourceType": "ServiceRequest"})
    with pytest.raises(ValidationError, match="resourceId"):
        Action(type="delete", description="Remove the draft")
    with pytest.raises(ValidationError):
        Card(summary="x" * 140, indicator="info", source=source)
    with pytest.raises(ValidationError):
        Card(summary="s", indicator="hard-stop", source=source)
    assert Action(type="delete", description="Remove", resourceId="MedicationRequest/1").resourceId


def test_a_start_medication_remedy_becomes_a_draft_order_suggestion(kb):
    from lenaguard.findings import StartMedication

    outcome = _hook(order_sign_request(), kb)
    assessment = outcome.assessed[0].assessment
    actions = [
        a.model_copy(update={"remedy": StartMedication(medication_class="aspirin")})
        if a.finding_id == "thrombosis.no_prophylaxis"
        else a
        for a in assessment.actions
    ]
    changed = Assessed(assessment.model_copy(update={"actions": actions}))
    card = _by_type(build_cards([changed], kb, draft=outcome.draft))["thrombosis.no_prophylaxis"]
    (suggestion,) = card.suggestions
    (action,) = suggestion.actions
    assert action.type == "create" and card.selectionBehavior == "at-most-one"
    assert action.resource["resourceType"] == "MedicationRequest"
    assert action.resource["medicationCodeableConcept"]["text"] == "Aspirin"
    assert action.resource["subject"]["reference"] == f"Patient/{assessment.patient_id}"
    get_fhir_model_class("MedicationRequest").model_validate(action.resource)


def test_the_card_models_know_every_member_of_the_spec_examples():
    from tests.cds.conftest import load

    for name in ("spec_card_response_1.json", "spec_card_response_2.json"):
        for card in load(name)["cards"]:
            # one example omits the indicator, which 2.0 requires
            parsed = Card.model_validate({"indicator": "info", **card})
            assert parsed.to_json()["summary"] == card["summary"]


@pytest.mark.parametrize(
    ("frequency", "days_on", "cycle", "capsules", "period"),
    [
        ("daily", (1, 21), 28, 21, 1),
        ("daily", None, 28, 28, 1),
        ("every_48h", (1, 21), 28, 11, 2),
        ("every_48h", None, 28, 14, 2),
        ("daily", (1, 21), 35, 21, 1),  # a 35-day cycle: one dispense covers 28 days at most
    ],
)
def test_a_changed_order_has_the_schedule_and_at_most_the_rems_supply(
    kb, frequency, days_on, cycle, capsules, period
):
    from lenaguard.interop.cds_hooks import orders
    from lenaguard.vocab import Frequency

    draft = _draft(order_sign_request())
    resource = orders.changed_order(
        draft,
        kb,
        dose_mg=5,
        frequency=Frequency(frequency),
        days_on=days_on,
        cycle_days=cycle,
        rxnorm=["643720"],
    )
    limit = kb.get(RemsKnowledge).prescription_limits.max_days_supply
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["period"] == period
    assert resource["dispenseRequest"]["quantity"]["value"] == capsules
    assert resource["dispenseRequest"]["expectedSupplyDuration"]["value"] == min(cycle, limit)
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] in _strength_codes(kb, 5)
    get_fhir_model_class("MedicationRequest").model_validate(resource)


def test_a_dose_with_no_capsule_strength_offers_no_order():
    from lenaguard.interop.cds_hooks import orders
    from lenaguard.knowledge import default_knowledge
    from lenaguard.vocab import Frequency

    draft = _draft(order_sign_request())
    kb = default_knowledge()
    made = orders.changed_order(
        draft, kb, dose_mg=7, frequency=Frequency.DAILY, days_on=None, cycle_days=28, rxnorm=[]
    )
    assert made is None


def test_the_plan_card_is_a_setting_and_says_the_decided_dose(kb):
    body = _myeloma(order_sign_request())
    outcome = _hook(body, kb)
    dose = recommended_dose(outcome.assessed[0].assessment)
    right = _hook(_with_dose(body, dose.dose_mg, _strength_codes(kb, dose.dose_mg)[0]), kb)
    calm = [Assessed(a.assessment.model_copy(update={"actions": []})) for a in right.assessed]
    [issued] = build_cards(calm, kb, draft=right.draft, plan_card=True)
    plan = calm[0].assessment.dose
    assert issued.card_type == "plan.summary"
    assert issued.card.indicator == "info"
    assert not issued.card.suggestions
    assert plan.action.value.replace("_", " ") in issued.card.summary
    if plan.action.gives_drug:
        assert f"{plan.dose_mg:g} mg" in issued.card.summary
    assert issued.card.summary.endswith("nothing needs action")
    assert issued.card.detail == plan.reason
    # with something to act on, no plan card is added
    acting = build_cards(right.assessed, kb, draft=right.draft, plan_card=True)
    assert all(card.card_type != "plan.summary" for card in acting)
