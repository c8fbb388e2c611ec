"""Whatever JSON an EHR sends in the request's members, the answer is a card list or a 4xx
problem naming what is wrong — never a 500 (property test)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cds.conftest import ORDER_SIGN, order_sign_request

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
PLACES = [
    ("prefetch", "patient"),
    ("prefetch", "labs"),
    ("prefetch", "conditions"),
    ("context", "patientId"),
    ("context", "draftOrders"),
    ("fhirAuthorization",),
    ("hookInstance",),
]


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory):
    from fastapi.testclient import TestClient

    from lenaguard.knowledge import default_knowledge
    from lenaguard.service.app import create_app
    from lenaguard.settings import Settings
    from lenaguard.store import Database

    home = tmp_path_factory.mktemp("robust")
    database = Database(f"sqlite:///{home / 'db.sqlite3'}")
    settings = Settings(home=home, database_url=database.url, cds_allow_unsigned=True)
    yield TestClient(create_app(settings, database=database, kb=default_knowledge()))
    database.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(place=st.sampled_from(PLACES), value=JSON)
def test_any_member_value_is_answered_without_a_server_error(unsigned, place, value):
    body = copy.deepcopy(BASE_BODY)
    target = body
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    for key in ("medications", "statements", "procedures"):
        body["prefetch"].setdefault(key, None)
    response = unsigned.post(ORDER_SIGN, content=json.dumps(body))
    assert response.status_code in (200, 400, 412), response.text
    if response.status_code != 200:
        assert response.json()["detail"]


BASE_BODY = order_sign_request()
