"""The service's shell: health, authentication, problem documents, size limits, the assess route."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAIN_EXAMPLE = EXAMPLES / "mm-newly-diagnosed.yaml"


def test_health_reports_the_database_and_versions(service):
    response = service.client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == service.database.dialect
    assert len(body["knowledge_version"]) == 12


def test_health_is_503_when_the_database_is_gone(sqlite_database, tmp_path):
    from fastapi.testclient import TestClient

    from lenaguard.service import create_app
    from lenaguard.store import Database
    from tests.service.conftest import settings_for

    broken = Database(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.sqlite3'}")
    broken.engine.dispose()
    (tmp_path / "missing" / "dir").rmdir()
    app = create_app(settings_for(tmp_path, sqlite_database), database=broken, migrate=False)
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "database unavailable"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lg_not-a-real-token"}, {"Authorization": "Basic eDp5"}],
    ids=["none", "unknown token", "basic"],
)
def test_assess_needs_a_valid_token(service, headers):
    response = service.client.post(
        "/api/v1/assess",
        content=MAIN_EXAMPLE.read_bytes(),
        headers={"content-type": "application/yaml", **headers},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_or_expired_token_is_refused(service):
    import datetime as dt

    from lenaguard.workflow.accounts.models import ApiToken
    from lenaguard.workflow.accounts.service import revoke_tokens

    headers = service.user("admin")
    assert service.client.get("/openapi.json").status_code == 200
    ok = service.client.post(
        "/api/v1/assess", content=b"{}", headers={**headers, "content-type": "application/json"}
    )
    assert ok.status_code == 422  # authenticated: the empty case is refused on its merits
    with service.database.transaction() as session:
        token = session.query(ApiToken).one()
        token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    expired = service.client.post(
        "/api/v1/assess", content=b"{}", headers={**headers, "content-type": "application/json"}
    )
    assert expired.status_code == 401
    with service.database.transaction() as session:
        token = session.query(ApiToken).one()
        token.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        assert revoke_tokens(session, token.user_id) == 1
    revoked = service.client.post(
        "/api/v1/assess", content=b"{}", headers={**headers, "content-type": "application/json"}
    )
    assert revoked.status_code == 401


def _cli_json(path: Path, *args: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "lenaguard.cli.app", "assess", str(path), "--json", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 4), run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("media", ["application/yaml", "application/json"])
def test_assess_is_identical_to_the_cli(service, media):
    headers = service.user("admin")
    text = MAIN_EXAMPLE.read_text()
    body = text if media == "application/yaml" else json.dumps(yaml.safe_load(text), default=str)
    response = service.client.post(
        "/api/v1/assess", content=body, headers={**headers, "content-type": media}
    )
    assert response.status_code == 200, response.text
    assert response.json() == _cli_json(MAIN_EXAMPLE)


def test_assess_as_of_and_verified_only_work_as_the_cli_options(service, tmp_path):
    headers = service.user("admin")
    undated = tmp_path / "undated.yaml"
    data = yaml.safe_load(MAIN_EXAMPLE.read_text())
    del data["as_of"]
    undated.write_text(yaml.safe_dump(data))
    response = service.client.post(
        "/api/v1/assess?as_of=2026-11-24&verified_only=true",
        content=undated.read_bytes(),
        headers={**headers, "content-type": "application/yaml"},
    )
    assert response.status_code == 200
    assert response.json()["as_of"] == "2026-11-24"
    assert response.json() == _cli_json(undated, "--as-of", "2026-11-24", "--verified-only")


def test_an_invalid_case_is_a_422_naming_each_field(service):
    headers = service.user("admin")
    response = service.client.post(
        "/api/v1/assess",
        content=b"as_of: 2026-11-20\nindication: bogus\npatient: {id: p, sex: female}\n",
        headers={**headers, "content-type": "application/yaml"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["title"] == "invalid case file"
    fields = {error["field"] for error in body["errors"]}
    assert "indication" in fields


@pytest.mark.parametrize(
    "content, media, says",
    [
        (b"a: &x [1]\nb: *x\n", "application/yaml", "alias"),
        (b"as_of: \xc3\x28\n", "application/yaml", "utf-8"),
        (b"{}", "text/plain", "content-type"),
    ],
    ids=["yaml alias", "bad encoding", "wrong media type"],
)
def test_hostile_bodies_are_refused_with_a_problem(service, content, media, says):
    headers = service.user("admin")
    response = service.client.post(
        "/api/v1/assess", content=content, headers={**headers, "content-type": media}
    )
    assert response.status_code == 422, response.text
    assert says in response.text.lower()


def test_a_body_over_the_limit_is_413_declared_or_streamed(service):
    headers = {**service.user("admin"), "content-type": "application/yaml"}
    limit = service.settings.max_request_bytes
    declared = service.client.post("/api/v1/assess", content=b"x" * (limit + 1), headers=headers)
    assert declared.status_code == 413
    assert declared.json()["title"] == "request too large"

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    streamed = service.client.post("/api/v1/assess", content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_openapi_publishes_the_assessment_schema(service):
    schema = service.client.get("/openapi.json").json()
    assert "/api/v1/assess" in schema["paths"]
    assert "Assessment" in schema["components"]["schemas"]
    docs = service.client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()  # the UI's files come from the app itself
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs-assets/{asset}" in docs.text
        assert service.client.get(f"/docs-assets/{asset}").status_code == 200
