"""The handout pages through the app: roles, the form, CSRF, errors next to the field,
escaping, the calendar file, and an enrolled patient's own handout."""

from __future__ import annotations

import re

import httpx
from icalendar import Calendar

from lenaguard.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import EXAMPLES

WAIT = "Do not take your capsules until your care team tells you to."
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def _form(client):
    page = client.get("/handout")
    assert page.status_code == 200, page.text
    return page


def test_staff_see_the_form_and_others_do_not(pages):
    for role in ("admin", "prescriber", "nurse", "pharmacist"):
        page = _form(pages.sign_in(role))
        assert 'name="case"' in page.text and 'enctype="multipart/form-data"' in page.text
    anonymous = pages.client().get("/handout")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_an_uploaded_case_becomes_the_handout_with_its_test_dates(pages):
    client = pages.sign_in("nurse")
    token = pages.csrf(_form(client).text)
    answer = client.post(
        "/handout",
        data={"csrf_token": token},
        files={"case": ("frp-ready.yaml", (EXAMPLES / "frp-ready.yaml").read_bytes())},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = answer.text
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)
    assert '<link rel="stylesheet" href="/static/css/handout.css">' in html
    assert "Take 1 capsule of 25 mg each time." in html
    assert "Pregnancy test today." in html and "Demo Oncology Clinic" in html
    # the calendar button posts the same case again, with the form token
    assert 'action="/handout/calendar.ics"' in html and token in html


def test_a_pasted_blocked_case_says_wait(pages):
    client = pages.sign_in("pharmacist")
    token = pages.csrf(_form(client).text)
    text = (EXAMPLES / "frp-not-ready.yaml").read_text()
    answer = client.post("/handout", data={"csrf_token": token, "case": text})
    assert answer.status_code == 200 and WAIT in answer.text
    assert 'class="handout-day handout-day--take' not in answer.text


def test_a_case_with_problems_comes_back_with_them_next_to_the_field(pages):
    client = pages.sign_in("prescriber")
    token = pages.csrf(_form(client).text)
    text = "indication: mm_combination\npatient: {id: <b>x</b>, sex: other}\n"
    answer = client.post("/handout", data={"csrf_token": token, "case": text})
    assert answer.status_code == 422
    assert 'aria-describedby="case-errors"' in answer.text and "patient.sex" in answer.text
    assert "&lt;b&gt;x&lt;/b&gt;" in answer.text and "<b>x</b>" not in answer.text
    empty = client.post("/handout", data={"csrf_token": token, "case": ""})
    assert empty.status_code == 422 and "upload a case file" in empty.text


def test_a_post_without_the_form_token_is_refused(pages):
    client = pages.sign_in("nurse")
    text = (EXAMPLES / "frp-ready.yaml").read_text()
    assert client.post("/handout", data={"case": text}).status_code == 403


def test_a_patient_id_with_markup_is_shown_as_text(pages):
    client = pages.sign_in("nurse")
    token = pages.csrf(_form(client).text)
    text = (EXAMPLES / "male-patient.yaml").read_text()
    text = re.sub(r"(?m)^  id: .*$", "  id: '<script>alert(1)</script>'", text, count=1)
    answer = client.post("/handout", data={"csrf_token": token, "case": text})
    assert answer.status_code == 200, answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_the_calendar_file_of_a_posted_case(pages):
    client = pages.sign_in("nurse")
    token = pages.csrf(_form(client).text)
    text = (EXAMPLES / "frp-ready.yaml").read_text()
    answer = client.post("/handout/calendar.ics", data={"csrf_token": token, "case": text})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert 'filename="lenalidomide-demo-frp-ready.ics"' in answer.headers["content-disposition"]
    summaries = [str(e["summary"]) for e in Calendar.from_ical(answer.content).walk("VEVENT")]
    assert "Pregnancy test" in summaries and "Take lenalidomide: 1 capsule" in summaries


def test_bearer_callers_post_without_a_form_token(pages):
    client = pages.client()
    headers = {"Authorization": f"Bearer {pages.token('nurse')}"}
    text = (EXAMPLES / "male-patient.yaml").read_text()
    answer = client.post("/handout", data={"case": text}, headers=headers)
    assert answer.status_code == 200 and "Condoms and sperm" in answer.text


# --- an enrolled patient (the demo clinic on a live server) --------------------------------------


def _get(live, path: str, token: str) -> httpx.Response:
    return httpx.get(live.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _patient_id(live, name: str) -> str:
    listed = _get(live, "/api/v1/patients?limit=50", live.first("admin")).json()
    return next(item["id"] for item in listed["items"] if item["name"] == name)


def test_a_patient_opens_her_own_handout_and_calendar(live):
    rosa = _patient_id(live, "Rosa Demo")
    token = live.token_of("Rosa Demo")
    assert _get(live, "/handout", token).status_code == 403  # the upload form is for staff
    page = _get(live, f"/patients/{rosa}/handout", token)
    assert page.status_code == 200, page.text
    assert "Birth control and pregnancy tests" in page.text
    assert "Pregnancy test today." in page.text and "Demo Oncology Clinic" in page.text
    assert f'href="/patients/{rosa}/handout.ics"' in page.text
    calendar = _get(live, f"/patients/{rosa}/handout.ics", token)
    assert calendar.status_code == 200
    summaries = [str(e["summary"]) for e in Calendar.from_ical(calendar.content).walk("VEVENT")]
    assert "Pregnancy test" in summaries


def test_another_patients_handout_and_a_missing_one_get_the_same_refusal(live):
    rosa = _patient_id(live, "Rosa Demo")
    walter = live.token_of("Walter Demo")
    not_hers = _get(live, f"/patients/{rosa}/handout", walter)
    missing = _get(live, "/patients/pat_does_not_exist/handout", walter)
    assert not_hers.status_code == missing.status_code == 403
    assert "Rosa" not in not_hers.text
    assert _get(live, "/patients/pat_does_not_exist/handout.ics", walter).status_code == 403


def test_the_prescribers_nurse_opens_an_enrolled_patients_handout(live):
    rosa = _patient_id(live, "Rosa Demo")
    page = _get(live, f"/patients/{rosa}/handout", live.first("nurse"))
    assert page.status_code == 200 and "Your lenalidomide plan" in page.text
