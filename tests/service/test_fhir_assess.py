"""`POST /api/v1/assess` with a FHIR R4 Bundle: `application/fhir+json`, or JSON that names
`resourceType: Bundle`; the indication from the diagnoses or `?indication=`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.fhir_factories import SYNTHEA, bundle, myeloma, observation, patient
from tests.service.conftest import Service, settings_for


@pytest.fixture
def app_client(sqlite_database) -> Iterator[Service]:
    """The app on SQLite only: these tests exercise the body reader, not the database."""
    from fastapi.testclient import TestClient

    from lenaguard.service import create_app

    settings = settings_for(Path(tempfile.mkdtemp(prefix="lenaguard-home-")), sqlite_database)
    app = create_app(settings, database=sqlite_database, migrate=False)
    with TestClient(app) as client:
        yield Service(client=client, database=sqlite_database, settings=settings)


BODY = json.dumps(
    bundle(
        patient(),
        myeloma(),
        observation("2160-0", value=1.9, ucum="mg/dL"),
        observation("29463-7", value=70, ucum="kg"),
    )
).encode()


def _post(service: Service, body: bytes, media: str, **params):
    headers = {**service.user("admin"), "content-type": media}
    return service.client.post("/api/v1/assess", content=body, headers=headers, params=params)


@pytest.mark.parametrize("media", ["application/fhir+json", "application/json"])
def test_a_bundle_is_assessed_under_either_media_type(app_client, media):
    response = _post(app_client, BODY, media, as_of="2026-11-30")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["patient_id"] == "p1" and body["indication"] == "mm_combination"
    assert body["renal"]["creatinine_mg_dl"] == 1.9
    assert "input.fhir_indication_inferred" in {f["id"] for f in body["findings"]}


def test_an_unknown_indication_is_a_422_naming_it_and_the_query_supplies_it(app_client):
    body = Path(SYNTHEA[0]).read_bytes()
    response = _post(app_client, body, "application/fhir+json")
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "indication"
    assert "?indication=" in problem["errors"][0]["message"]
    response = _post(app_client, body, "application/fhir+json", indication="mcl")
    assert response.status_code == 200 and response.json()["indication"] == "mcl"


def test_fhir_json_that_is_not_a_bundle_is_refused(app_client):
    response = _post(app_client, json.dumps(patient()).encode(), "application/fhir+json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "resourceType"


def test_a_json_case_file_is_still_a_case_file(app_client):
    example = Path(__file__).resolve().parents[2] / "examples" / "mm-newly-diagnosed.yaml"
    import yaml

    body = json.dumps(yaml.safe_load(example.read_text()), default=str).encode()
    response = _post(app_client, body, "application/json")
    assert response.status_code == 200
    assert not [f for f in response.json()["findings"] if f["id"].startswith("input.fhir_")]
