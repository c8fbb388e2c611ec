"""The signed assessment page a card links to, and CORS for browser-based EHRs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from lenaguard.service import cds_links
from tests.cds.conftest import ORDER_SIGN, order_sign_request


def _link(call) -> str:
    cards = call(ORDER_SIGN, order_sign_request()).json()["cards"]
    links = {card["links"][0]["url"] for card in cards}
    assert len(links) == 1  # every card of a call opens the same assessment
    return links.pop()


def test_cards_link_to_the_assessment_page_absolutely(client, call):
    link = _link(call)
    assert link.startswith("http://testserver/assessments/")
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Not ready to prescribe" in page.text and "pregnancy.first_test_missing" in page.text
    assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'self'" in policy
    assert "script-src" not in policy  # no script at all: default-src 'none' applies
    assert 'href="/static/css/assess.css"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_links_use_the_public_url_behind_a_proxy(make_client, sign):
    import json

    from tests.cds.conftest import claims

    client = make_client(public_url="https://lenaguard.example.org")
    token = sign(claims("https://lenaguard.example.org" + ORDER_SIGN))
    response = client.post(
        ORDER_SIGN,
        content=json.dumps(order_sign_request()),
        headers={"Authorization": f"Bearer {token}"},
    )
    link = response.json()["cards"][0]["links"][0]["url"]
    assert link.startswith("https://lenaguard.example.org/assessments/")


def test_a_tampered_or_missing_token_opens_nothing(client, call):
    parts = urlsplit(_link(call))
    expires, signature = parts.query.removeprefix("token=").split(".")
    other = "0" * 32
    for query in (
        "",
        f"token={expires}.{signature[:-2]}xx",
        f"token={int(expires) + 600}.{signature}",
    ):
        assert client.get(f"{parts.path}?{query}").status_code == 403
    assert client.get(f"/assessments/{other}?{parts.query}").status_code == 403


def test_a_page_shows_values_escaped():
    import datetime as dt

    from lenaguard.assess import assess
    from lenaguard.caseio import case_from_data
    from lenaguard.knowledge import default_knowledge
    from lenaguard.service.cds_page import render

    kb = default_knowledge()
    case = case_from_data(
        {
            "indication": "mm_combination",
            "patient": {"id": "<b>x</b><script>alert(1)</script>", "sex": "male", "age_years": 60},
        },
        today=dt.date(2026, 1, 5),
        kb=kb,
    )
    html = render({"assessments": [assess(case, kb).to_json_dict()]}, kb)
    assert "<script" not in html and "<b>x" not in html
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_link_token_is_for_one_assessment_and_ten_minutes():
    secret = b"k" * 32
    now = dt.datetime(2025, 1, 6, 15, 0, tzinfo=dt.UTC)
    token = cds_links.sign(secret, "abc", now)
    assert cds_links.check(secret, "abc", token, now + dt.timedelta(minutes=9, seconds=59))
    assert not cds_links.check(secret, "abc", token, now + dt.timedelta(minutes=10, seconds=1))
    assert not cds_links.check(secret, "abd", token, now)
    assert not cds_links.check(b"other" * 8, "abc", token, now)


def test_the_link_secret_is_kept_in_the_data_directory(tmp_path):
    first = cds_links.link_secret(None, tmp_path / "home")
    assert cds_links.link_secret(None, tmp_path / "home") == first
    assert (tmp_path / "home" / cds_links.KEY_FILE).stat().st_mode & 0o077 == 0
    assert cds_links.link_secret("configured", tmp_path / "home") == b"configured"


PREFLIGHT = {
    "Origin": "https://sandbox.cds-hooks.org",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


def test_a_preflight_with_authorization_passes_for_a_configured_origin(make_client):
    client = make_client(cds_cors_origins=("https://sandbox.cds-hooks.org",))
    response = client.options(ORDER_SIGN, headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://sandbox.cds-hooks.org"
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "POST" in response.headers["access-control-allow-methods"]
    discovery = client.get("/cds-services", headers={"Origin": PREFLIGHT["Origin"]})
    assert discovery.headers["access-control-allow-origin"] == PREFLIGHT["Origin"]


def test_cors_is_off_by_default_and_only_for_cds_services(make_client, client):
    assert (
        "access-control-allow-origin" not in client.options(ORDER_SIGN, headers=PREFLIGHT).headers
    )
    configured = make_client(cds_cors_origins=("https://sandbox.cds-hooks.org",))
    other = configured.get("/healthz", headers={"Origin": PREFLIGHT["Origin"]})
    assert "access-control-allow-origin" not in other.headers
    stranger = dict(PREFLIGHT, Origin="https://evil.example")
    assert (
        "access-control-allow-origin"
        not in configured.options(ORDER_SIGN, headers=stranger).headers
    )


def test_cds_settings_come_from_the_environment(tmp_path):
    import pytest

    from lenaguard.errors import InputError
    from lenaguard.settings import Settings

    settings = Settings.from_env(
        {
            "LENAGUARD_HOME": str(tmp_path),
            "LENAGUARD_CDS_ISSUERS": str(tmp_path / "issuers.json"),
            "LENAGUARD_CDS_ALLOW_UNSIGNED": "1",
            "LENAGUARD_CDS_CORS_ORIGINS": "https://a.example, https://b.example",
            "LENAGUARD_PUBLIC_URL": "https://lenaguard.example.org/",
        }
    )
    assert settings.cds_issuers == tmp_path / "issuers.json" and settings.cds_allow_unsigned
    assert settings.cds_cors_origins == ("https://a.example", "https://b.example")
    assert settings.public_url == "https://lenaguard.example.org"
    assert not Settings.from_env({"LENAGUARD_HOME": str(tmp_path)}).cds_allow_unsigned
    with pytest.raises(InputError):
        Settings.from_env(
            {"LENAGUARD_HOME": str(tmp_path), "LENAGUARD_CDS_ALLOW_UNSIGNED": "maybe"}
        )


def test_assessments_are_kept_only_as_long_as_their_links(client, call):
    from lenaguard.workflow.cds.models import CdsAssessment

    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=cds_links.LINK_MINUTES + 1)
    with client.app.state.database.transaction() as session:
        session.add(
            CdsAssessment(id="old", service="s", hook_instance="h", created_at=old, assessment={})
        )
    _link(call)
    with client.app.state.database.reading() as session:
        ids = [row.id for row in session.query(CdsAssessment)]
    assert "old" not in ids and len(ids) == 1
