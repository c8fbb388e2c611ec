"""Signing in and out of the web pages, the session cookie, CSRF and the security headers."""

from __future__ import annotations

import re

from lenaguard.web.security import CONTENT_SECURITY_POLICY, SESSION_COOKIE
from lenaguard.web.templating import NAVIGATION, navigation
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal, revoke_tokens

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def test_a_page_without_sign_in_goes_to_the_login_page_and_back(pages):
    client = pages.client()
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    form = client.get("/login?next=/assess")
    assert 'name="next" value="/assess"' in form.text
    token = pages.token("prescriber", "Dr. Who")
    signed = client.post(
        "/login", data={"token": token, "csrf_token": pages.csrf(form.text), "next": "/assess"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/assess"


def test_the_session_cookie_is_httponly_and_samesite_and_holds_no_token(pages):
    client = pages.client()
    form = client.get("/login")
    token = pages.token("nurse", "Nurse Joy")
    answer = client.post("/login", data={"token": token, "csrf_token": pages.csrf(form.text)})
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert token not in cookie
    home = client.get("/")
    assert home.status_code == 200 and "Nurse Joy" in home.text


def test_a_wrong_token_is_refused_with_a_message_and_no_session(pages):
    client = pages.client()
    form = client.get("/login")
    answer = client.post(
        "/login", data={"token": "lg_not-a-real-token", "csrf_token": pages.csrf(form.text)}
    )
    assert answer.status_code == 401
    assert "unknown, expired or revoked" in answer.text
    assert SESSION_COOKIE not in answer.cookies
    assert client.get("/").status_code == 303


def test_a_login_post_without_the_form_token_is_refused(pages):
    client = pages.client()
    token = pages.token("prescriber")
    answer = client.post("/login", data={"token": token, "csrf_token": "forged"})
    assert answer.status_code == 400
    assert client.get("/").status_code == 303


def test_the_next_page_is_never_another_site(pages):
    client = pages.client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", ""):
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "token": pages.token("prescriber"),
                "csrf_token": pages.csrf(form.text),
                "next": target,
            },
        )
        assert answer.headers["location"] == "/", target


def test_sign_out_needs_the_form_token_and_ends_the_session(pages):
    client = pages.sign_in("prescriber", "Dr. Out")
    home = client.get("/")
    forged = client.post("/logout", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    done = client.post("/logout", data={"csrf_token": pages.csrf(home.text)})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_signing_in_and_out_is_in_the_users_audit_chain_without_the_session_key(pages):
    from sqlalchemy import select

    from lenaguard.workflow.accounts.models import ApiToken, User
    from lenaguard.workflow.audit.models import AuditEntry
    from lenaguard.workflow.audit.service import chain_for_user, verify

    client = pages.sign_in("nurse", "Nurse Audit")
    key = client.cookies.get(SESSION_COOKIE)
    client.post("/logout", data={"csrf_token": pages.csrf(client.get("/").text)})
    refused = pages.client()
    form = refused.get("/login")
    refused.post("/login", data={"token": "lg_wrong", "csrf_token": pages.csrf(form.text)})
    with pages.database.transaction() as session:
        user = session.execute(select(User).where(User.name == "Nurse Audit")).scalar_one()
        token = session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
        entries = list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.chain == chain_for_user(user.id))
                .order_by(AuditEntry.seq)
            ).scalars()
        )
        assert [(e.action, e.entity, e.entity_id, e.actor_id, e.actor_role) for e in entries] == [
            ("sign_in", "web_session", token.id, user.id, "nurse"),
            ("sign_out", "web_session", token.id, user.id, "nurse"),
        ]
        assert all(key not in repr(entry.after) for entry in entries)
        assert entries[0].after == entries[1].after and "expires_at" in entries[0].after
        assert verify(session)[1] == []


def test_a_stolen_cookie_stops_working_at_sign_out(pages):
    client = pages.sign_in("prescriber")
    key = client.cookies.get(SESSION_COOKIE)
    client.post("/logout", data={"csrf_token": pages.csrf(client.get("/").text)})
    thief = pages.client()
    thief.cookies.set(SESSION_COOKIE, key)
    assert thief.get("/").status_code == 303


def test_revoking_the_api_token_ends_its_web_sessions(pages):
    token = pages.token("pharmacist", "Pat Pharm")
    client = pages.sign_in(token=token)
    assert client.get("/").status_code == 200
    with pages.database.transaction() as session:
        from lenaguard.workflow.accounts.service import authenticate

        user_id = authenticate(session, token).user_id
        assert revoke_tokens(session, user_id) == 1
    assert client.get("/").status_code == 303


def test_a_bearer_token_opens_pages_without_a_cookie_or_form_token(pages):
    client = pages.client()
    token = pages.token("admin", "Ada Admin")
    answer = client.get("/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and "Ada Admin" in answer.text
    assert 'name="csrf_token"' not in answer.text  # nothing to forge without a cookie


def test_pages_carry_a_strict_content_security_policy_and_no_inline_script_or_style(pages):
    client = pages.sign_in("prescriber")
    for path in ("/", "/login", "/logout-not-a-page"):
        answer = client.get(path)
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
            assert answer.headers["x-frame-options"] == "DENY"
            assert not INLINE_SCRIPT.search(answer.text), path
            assert not INLINE_STYLE.search(answer.text), path
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_page_allows_only_its_own_inline_script(pages):
    answer = pages.client().get("/docs")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_the_navigation_shows_what_the_role_may_open():
    every_page = {item.href for item in NAVIGATION}
    patient = Principal(user_id="u1", role=Role.PATIENT, name="Pat", patient_id="pat_1")
    nurse = Principal(user_id="u2", role=Role.NURSE, name="Joy")
    assert [item.href for item in navigation(patient, every_page)] == ["/patients"]
    assert {item.href for item in navigation(nurse, every_page)} == every_page
    assert navigation(None, every_page) == []
    # an item whose page the app does not have is never shown
    assert navigation(nurse, {"/assess"})[0].href == "/assess"
    assert len(navigation(nurse, {"/assess"})) == 1


def test_a_name_with_markup_is_shown_as_text(pages):
    client = pages.sign_in("prescriber", '<script>alert("x")</script> Dr. <b>Bold</b>')
    html = client.get("/").text
    assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Dr. &lt;b&gt;Bold&lt;/b&gt;" in html


def test_static_files_are_served_from_the_package(pages):
    client = pages.client()
    css = client.get("/static/css/lenaguard.css")
    assert css.status_code == 200 and "--ink" in css.text
    htmx = client.get("/static/js/htmx-2.0.11.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text


def test_the_start_page_links_to_the_pages_the_app_has(pages):
    html = pages.sign_in("nurse", "Nurse Nav").get("/").text
    present = {item.href for item in NAVIGATION if item.href in pages.app.state.page_paths}
    for href in present:
        assert f'href="{href}"' in html
    assert pages.client().get("/static/favicon.svg").status_code == 200


def test_a_body_over_the_request_limit_is_a_page_for_a_browser_and_a_problem_for_a_client(
    pages,
):
    client = pages.sign_in("nurse")
    too_big = b"x" * (pages.settings.max_request_bytes + 1)
    browser_like = client.post(
        "/assess", files={"case": ("big.yaml", too_big)}, headers={"Accept": "text/html"}
    )
    assert browser_like.status_code == 413
    assert browser_like.headers["content-type"].startswith("text/html")
    assert "The file is too large" in browser_like.text
    assert browser_like.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    api_like = client.post("/api/v1/assess", content=too_big, headers={"Accept": "*/*"})
    assert api_like.status_code == 413
    assert api_like.headers["content-type"] == "application/problem+json"
