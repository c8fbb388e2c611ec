"""POST /api/v1/ask: the CLI's answer over HTTP (the router is wired here as the app will)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def asking(sqlite_database, tmp_path):
    from fastapi.testclient import TestClient

    from lenaguard.service import ask_api, create_app
    from tests.service.conftest import Service, settings_for

    settings = settings_for(tmp_path / "home", sqlite_database)
    app = create_app(settings, database=sqlite_database, migrate=True)
    app.include_router(ask_api.router)
    with TestClient(app) as client:
        yield Service(client=client, database=sqlite_database, settings=settings)


def test_ask_answers_with_citations_as_the_cli_does(asking):
    headers = asking.user("admin")
    question = "What is the half-life of lenalidomide?"
    response = asking.client.post("/api/v1/ask", json={"question": question}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["question"] == question and not body["abstained"]
    used = {n for s in body["guidelines"] + body["research"] for n in s["citations"]}
    assert used == {r["n"] for r in body["references"]}

    from lenaguard.evidence import ask
    from lenaguard.evidence.ingest import Library
    from lenaguard.knowledge import default_knowledge

    kb = default_knowledge()
    library = Library(asking.settings.home / "evidence", kb)
    assert body == ask(question, library.index(), kb).model_dump(mode="json")


def test_ask_needs_a_token_and_a_question(asking):
    assert asking.client.post("/api/v1/ask", json={"question": "x"}).status_code == 401
    headers = asking.user("admin")
    response = asking.client.post("/api/v1/ask", json={"question": ""}, headers=headers)
    assert response.status_code == 422


def test_ask_with_a_case_adds_the_rules_decision(asking):
    headers = asking.user("admin")
    # a case file as a client sends it: JSON, dates as text
    case = json.loads(
        json.dumps(yaml.safe_load((EXAMPLES / "mm-newly-diagnosed.yaml").read_text()), default=str)
    )
    response = asking.client.post(
        "/api/v1/ask",
        json={"question": "Can this patient start now?", "case": case},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["case"]["readiness"] in {"ready", "not_ready", "not_determined"}


def test_an_invalid_case_names_its_field(asking):
    headers = asking.user("admin")
    response = asking.client.post(
        "/api/v1/ask",
        json={"question": "Can this patient start now?", "case": {"indication": "flu"}},
        headers=headers,
    )
    assert response.status_code == 422
    assert "indication" in response.text
