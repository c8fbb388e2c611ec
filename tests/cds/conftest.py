"""Fixtures for the CDS Hooks tests: an app on a fresh SQLite database, a trusted EHR with its
own keys (generated here), JWT signing, a stand-in FHIR server, and the request fixtures."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from lenaguard.knowledge import default_knowledge
from lenaguard.service.app import create_app
from lenaguard.settings import Settings
from lenaguard.store import Database
from lenaguard.workflow.clock import current_moment

FIXTURES = Path(__file__).parent / "fixtures"
ISS = "https://ehr.example.org"
SANDBOX_ISS = "https://sandbox.cds-hooks.org"
SANDBOX_JWKS_URL = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
BASE = "http://testserver"
ORDER_SIGN = "/cds-services/lenaguard-order-sign"
ORDER_SELECT = "/cds-services/lenaguard-order-select"
PATIENT_VIEW = "/cds-services/lenaguard-patient-view"
SIGNING_MOMENT = dt.datetime(2025, 1, 6, 15, 0, tzinfo=dt.UTC)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def order_sign_request() -> dict[str, Any]:
    return copy.deepcopy(load("order-sign_lenalidomide_request.json"))


@pytest.fixture(scope="session")
def kb():
    return default_knowledge()


class Keys:
    """An EHR's signing keys: an ES384 key (as the sandbox uses) and an RS256 key."""

    def __init__(self) -> None:
        self.ec = ec.generate_private_key(ec.SECP384R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec_kid, self.rsa_kid = "ec-" + uuid.uuid4().hex[:8], "rsa-" + uuid.uuid4().hex[:8]

    def jwks(self) -> dict[str, Any]:
        ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key()))
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_jwk |= {"kid": self.ec_kid, "alg": "ES384", "use": "sig"}
        rsa_jwk |= {"kid": self.rsa_kid, "alg": "RS256", "use": "sig"}
        return {"keys": [ec_jwk, rsa_jwk]}


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


def claims(aud: str, *, iss: str = ISS, **changes: Any) -> dict[str, Any]:
    """The sandbox's claim shape: iss, aud, exp = iat + 300, iat, jti, no sub."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    found = {"iss": iss, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    found.update(changes)
    return {key: value for key, value in found.items() if value is not None}


@pytest.fixture
def sign(keys) -> Callable[..., str]:
    def make(payload: dict[str, Any], *, alg: str = "ES384", headers: dict | None = None) -> str:
        key = keys.ec if alg.startswith("ES") else keys.rsa
        kid = keys.ec_kid if alg.startswith("ES") else keys.rsa_kid
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid, **(headers or {})})

    return make


class FhirServer:
    """A stand-in FHIR server: empty searchset Bundles, a Patient, and a record of the calls."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.fail = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.fail:
            return httpx.Response(503)
        path = request.url.path
        if "/Patient/" in path:
            patient_id = path.rsplit("/", 1)[1]
            return httpx.Response(
                200,
                json={
                    "resourceType": "Patient",
                    "id": patient_id,
                    "gender": "male",
                    "birthDate": "1960-01-01",
                },
            )
        return httpx.Response(
            200, json={"resourceType": "Bundle", "type": "searchset", "entry": []}
        )


@pytest.fixture
def fhir_server() -> FhirServer:
    return FhirServer()


@pytest.fixture
def make_client(tmp_path, keys, fhir_server, monkeypatch):
    """A TestClient on a fresh app; keyword arguments change the Settings."""
    import lenaguard.service.cds_fetch as fetch_module

    real = fetch_module.fetch_prefetch

    async def fetch(server, token, queries, *, transport=None):
        return await real(
            server, token, queries, transport=httpx.MockTransport(fhir_server.handler)
        )

    monkeypatch.setattr("lenaguard.service.cds_api.fetch_prefetch", fetch)
    made: list[TestClient] = []

    def make(issuers: dict | None = None, **settings: Any) -> TestClient:
        path = tmp_path / f"issuers-{len(made)}.json"
        path.write_text(
            json.dumps(issuers or {"issuers": [{"iss": ISS, "jwks": keys.jwks()}]}),
            encoding="utf-8",
        )
        home = tmp_path / f"home-{len(made)}"
        database = Database(f"sqlite:///{tmp_path / f'db-{len(made)}.sqlite3'}")
        config = Settings(
            home=home,
            database_url=database.url,
            cds_issuers=path,
            **settings,
        )
        client = TestClient(create_app(config, database=database, kb=default_knowledge()))
        # the server's date is the assessment date: the day the fixture's order was written
        client.app.dependency_overrides[current_moment] = lambda: SIGNING_MOMENT
        made.append(client)
        return client

    yield make
    for client in made:
        client.app.state.database.dispose()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def call(client, sign) -> Callable[..., httpx.Response]:
    """POST a body to a CDS Hooks path with a fresh, valid JWT for that URL."""

    def post(path: str, body: Any, **claim_changes: Any) -> httpx.Response:
        token = sign(claims(BASE + path, **claim_changes))
        content = body if isinstance(body, bytes | str) else json.dumps(body)
        return client.post(
            path,
            content=content,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    return post
