"""Hook calls: invalid requests are a 400 naming what is wrong; missing prefetch is fetched or
answered with 412; shapes the spec and the sandbox send are accepted."""

from __future__ import annotations

import copy

import pytest

from tests.cds.conftest import (
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    load,
    order_sign_request,
)


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


@pytest.mark.parametrize("bad", ["not-a-uuid", "", 12, None])
def test_a_bad_hook_instance_is_a_400_naming_it(call, bad):
    body = order_sign_request()
    body["hookInstance"] = bad
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "hookInstance" in _fields(response)


@pytest.mark.parametrize("missing", ["patientId", "userId", "draftOrders"])
def test_a_missing_context_field_is_a_400_naming_it(call, missing):
    body = order_sign_request()
    del body["context"][missing]
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400
    assert f"context.{missing}" in _fields(response)
    assert "order-sign context" in response.json()["detail"]


def test_order_select_needs_its_selections(call):
    body = order_sign_request()
    body["hook"] = "order-select"
    response = call(ORDER_SELECT, body)
    assert response.status_code == 400 and "context.selections" in _fields(response)


@pytest.mark.parametrize("missing", ["hook", "hookInstance", "context"])
def test_missing_required_members_are_a_400(call, missing):
    body = order_sign_request()
    del body[missing]
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400 and missing in _fields(response)


def test_fhir_authorization_needs_a_fhir_server(call):
    body = order_sign_request()
    del body["fhirServer"]
    body["fhirAuthorization"] = load("spec_patient-view_request.json")["fhirAuthorization"]
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400
    assert "fhirServer is required" in response.text


def test_a_body_that_is_not_json_is_a_400(call):
    response = call(ORDER_SIGN, b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]


def test_the_hook_must_be_the_services_hook(call):
    body = order_sign_request()
    body["hook"] = "patient-view"
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400 and "answers the order-sign hook" in response.text


def test_an_unknown_service_is_a_404(call):
    assert call("/cds-services/nope", order_sign_request()).status_code == 404


def test_unreadable_fhir_data_is_a_400_naming_the_resource_never_a_500(call):
    body = order_sign_request()
    body["prefetch"]["patient"]["birthDate"] = "yesterday"
    response = call(ORDER_SIGN, body)
    assert response.status_code == 400
    assert any("birthDate" in field for field in _fields(response))


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_its_token(call, fhir_server):
    body = order_sign_request()
    body["fhirAuthorization"] = {
        "access_token": "opaque-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/*.read",
        "subject": "lenaguard",
    }
    response = call(ORDER_SIGN, body)
    assert response.status_code == 200
    fetched = {request.url.path.rsplit("/", 1)[-1] for request in fhir_server.calls}
    # the fixture sends patient and labs; the rest is fetched
    assert fetched == {"Condition", "MedicationRequest", "MedicationStatement", "Procedure"}
    for request in fhir_server.calls:
        assert request.headers["authorization"] == "Bearer opaque-token"
        assert request.url.params["patient"] == body["context"]["patientId"]
        assert str(request.url).startswith(body["fhirServer"])


def test_full_prefetch_needs_no_fhir_server(call, fhir_server):
    body = order_sign_request()
    del body["fhirServer"]
    for key in ("conditions", "medications", "statements", "procedures"):
        body["prefetch"][key] = None  # null: the EHR found no data
    response = call(ORDER_SIGN, body)
    assert response.status_code == 200 and response.json()["cards"]
    assert fhir_server.calls == []


def test_missing_prefetch_without_a_fhir_server_is_a_412(call):
    body = order_sign_request()
    del body["fhirServer"]
    response = call(ORDER_SIGN, body)
    assert response.status_code == 412
    assert "no fhirServer" in response.json()["detail"]


def test_a_fhir_server_that_fails_is_a_412_not_a_500(call, fhir_server):
    fhir_server.fail = True
    response = call(ORDER_SIGN, order_sign_request())
    assert response.status_code == 412 and "could not be fetched" in response.json()["detail"]


def test_an_operation_outcome_in_place_of_prefetch_is_fetched_again(call, fhir_server):
    body = order_sign_request()
    body["prefetch"]["labs"] = {"resourceType": "OperationOutcome", "issue": []}
    assert call(ORDER_SIGN, body).status_code == 200
    assert "Observation" in {r.url.path.rsplit("/", 1)[-1] for r in fhir_server.calls}


def test_the_spec_patient_view_request_is_answered(call):
    response = call(PATIENT_VIEW, load("spec_patient-view_request.json"))
    assert response.status_code == 200
    assert response.json() == {"cards": []}  # not on lenalidomide: nothing to say


def test_the_sandbox_patient_view_request_is_answered(call):
    captured = load("sandbox/patient-view_request.json")
    response = call(PATIENT_VIEW, captured["body"])
    assert response.status_code == 200 and response.json() == {"cards": []}


def _order_select(draft_resource: dict) -> dict:
    body = order_sign_request()
    body["hook"] = "order-select"
    body["context"]["selections"] = [f"MedicationRequest/{draft_resource.get('id', 'x')}"]
    body["context"]["draftOrders"]["entry"] = [{"resource": draft_resource}]
    return body


def test_order_select_before_a_drug_is_chosen_gets_no_cards(call):
    body = _order_select(
        {
            "resourceType": "MedicationRequest",
            "id": "new",
            "status": "draft",
            "subject": {"reference": "Patient/p1"},
        }
    )
    response = call(ORDER_SELECT, body)
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_order_select_of_the_sandbox_capsule_shape_is_checked(call):
    draft = copy.deepcopy(order_sign_request()["context"]["draftOrders"]["entry"][0]["resource"])
    # the sandbox: {pill} doses, no unit system, a 30-day supply
    draft["dosageInstruction"][0]["doseAndRate"] = [
        {"doseQuantity": {"value": 1, "code": "{pill}"}}
    ]
    draft["dispenseRequest"]["expectedSupplyDuration"]["value"] = 30
    response = call(ORDER_SELECT, _order_select(draft))
    assert response.status_code == 200
    summaries = [card["summary"] for card in response.json()["cards"]]
    assert any(s.startswith("REMS:") for s in summaries)
    assert any(s.startswith("Lenalidomide dose: 10 mg") for s in summaries)


def test_order_hooks_without_lenalidomide_get_no_cards(call):
    body = order_sign_request()
    context = load("hook_order-sign_context_R4.json")["context"]
    body["context"]["draftOrders"] = context["draftOrders"]
    response = call(ORDER_SIGN, body)
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_patient_view_of_a_patient_on_lenalidomide_gets_cards_without_a_draft(call):
    body = order_sign_request()
    patient = body["context"]["patientId"]
    course = copy.deepcopy(_draft_resource(body))
    course.update({"id": "course-1", "status": "active", "authoredOn": "2024-12-20"})
    body["hook"] = "patient-view"
    del body["context"]["draftOrders"]
    body["prefetch"]["medications"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": course}],
    }
    body["prefetch"]["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "mm",
                    "code": {
                        "coding": [
                            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C90.00"}
                        ]
                    },
                    "subject": {"reference": f"Patient/{patient}"},
                }
            }
        ],
    }
    response = call(PATIENT_VIEW, body)
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert cards and not [
        c for c in cards if c["summary"].startswith(("Lenalidomide dose", "REMS:"))
    ]
    assert any("Hepatitis B" in c["summary"] for c in cards)


def _draft_resource(body: dict) -> dict:
    return body["context"]["draftOrders"]["entry"][0]["resource"]
