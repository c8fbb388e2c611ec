"""Discovery: GET /cds-services lists one service per hook, with prefetch for what the rules read."""

from __future__ import annotations

import re

from lenaguard.knowledge.topics.labs import LabsKnowledge
from tests.cds.conftest import load

TOKEN = re.compile(r"\{\{([^}]*)\}\}")


def test_discovery_lists_the_three_hooks_in_the_spec_shape(client):
    response = client.get("/cds-services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert sorted(s["hook"] for s in services) == ["order-select", "order-sign", "patient-view"]
    spec = load("spec_discovery_response.json")["services"][0]
    for service in services:
        # the members the spec's example has, each of the same JSON type
        for key in ("hook", "id", "title", "description", "prefetch"):
            assert isinstance(service[key], type(spec[key])), key
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", service["id"])


def test_every_service_is_callable_at_its_id(client, call):
    for service in client.get("/cds-services").json()["services"]:
        response = call(f"/cds-services/{service['id']}", {"hook": service["hook"]})
        assert response.status_code == 400  # reached and validated, not 404


def test_prefetch_tokens_are_context_fields_of_every_hook(client):
    for service in client.get("/cds-services").json()["services"]:
        for template in service["prefetch"].values():
            assert set(TOKEN.findall(template)) == {"context.patientId"}


def test_lab_prefetch_asks_for_exactly_the_loinc_codes_the_mapping_reads(client, kb):
    wanted = {code for d in kb.get(LabsKnowledge).tests.values() for code in d.loinc}
    for service in client.get("/cds-services").json()["services"]:
        labs = service["prefetch"]["labs"]
        assert labs.startswith("Observation?patient={{context.patientId}}&code=")
        codes = {item.split("|", 1)[1] for item in labs.split("code=", 1)[1].split(",")}
        assert codes == wanted
        assert set(service["prefetch"]) == {
            "patient",
            "labs",
            "conditions",
            "medications",
            "statements",
            "procedures",
        }
