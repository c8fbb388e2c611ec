"""The REMS pages in Chromium against the live demo clinic: a nurse goes from the worklist to a
patient's readiness and records a pregnancy test by keyboard, and chooses a patient's pharmacy
from the checklist by keyboard; a prescriber's refused authorization shows every unmet
requirement; a pharmacist confirms and dispenses; axe-core and screenshots at 1280 and 390
pixels on every page type, with nothing wider than the screen.

Tests that write make their own patients through the API (the demo patients stay as loaded, for
the other pages' tests).
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from lenaguard.workflow.demo import PHARMACY_ID, clinical_part

FERTILE = {"hysterectomy": False, "bilateral_oophorectomy": False, "months_since_last_menses": 0}


def api(url: str, token: str, method: str, path: str, **kwargs) -> dict:
    answer = httpx.request(
        method, url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def new_patient(url: str, token: str, *, name: str, female: bool, ready: bool) -> str:
    """A patient of the demo prescriber whose API token is `token`, enrolled today with the
    agreement signed, counselling, the demo pharmacy and a stored case; `ready`: surveys and
    insurance too (a male is then ready for an authorization). Dates signed and counselled:
    yesterday in UTC, never after the clinic's today whatever its zone."""
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    body = {"name": name, "sex": "female" if female else "male", "birth_date": "1970-05-05"}
    if female:
        body["reproductive"] = FERTILE
    patient = api(url, token, "POST", "/api/v1/patients", json=body)["id"]
    base = f"/api/v1/patients/{patient}"
    api(url, token, "POST", f"{base}/agreements", json={"signer": "patient", "signed_on": str(day)})
    api(url, token, "PUT", f"{base}/pharmacy", json={"pharmacy_id": PHARMACY_ID})
    for kind in ("rems_education", "contraception"):
        api(url, token, "POST", f"{base}/counselling", json={"kind": kind, "given_on": str(day)})
    case = clinical_part("frp-ready.yaml" if female else "male-patient.yaml", day)
    case["patient"]["id"] = patient
    api(url, token, "PUT", f"{base}/case", json=_jsonable(case))
    if ready:
        moment = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).isoformat()
        for who in ("patient", "prescriber"):
            api(url, token, "POST", f"{base}/surveys", json={"respondent": who, "taken_at": moment})
        insurance = {
            "payer": "Demo Health Plan",
            "member_id": "M-1",
            "prior_authorization": "approved",
        }
        api(url, token, "POST", f"{base}/insurance", json=insurance)
    return patient


def authorized(url: str, tokens: dict[str, tuple[str, str]], name: str) -> tuple[str, str]:
    """(patient id, authorization number): a new ready male patient of Dr. Ben Demo (the demo
    patients stay as loaded) with a 28-day authorization."""
    token = tokens["Dr. Ben Demo"][1]
    patient = new_patient(url, token, name=name, female=False, ready=True)
    body = {"patient_id": patient, "indication": "mm_combination", "dose_mg": 25, "days_supply": 28}
    return patient, api(url, token, "POST", "/api/v1/authorizations", json=body)["number"]


def confirmation_number(url: str, tokens: dict[str, tuple[str, str]]) -> str:
    """A confirmation of the demo pharmacy waiting to be dispensed (for the page sweep)."""
    _patient, number = authorized(url, tokens, "Connie Confirmed")
    pharmacist = tokens["Phil Demo"][1]
    return api(url, pharmacist, "POST", f"/api/v1/authorizations/{number}/confirmations")["number"]


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def check_page(page, axe, shoot, name: str, width: int) -> None:
    assert axe(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    shoot(page, f"rems-{name}-{width}")


def test_a_nurse_goes_from_the_worklist_to_readiness_and_records_a_test_by_keyboard(browser):
    live = browser.live
    token = live.token_of("Dr. Ada Demo")
    patient = new_patient(live.url, token, name="Iris Keyboard", female=True, ready=False)
    page = browser.page(token=live.token_of("Nora Demo, RN"))
    browser.console_errors.clear()  # the sign-in page's (the foundation's test covers it)
    page.goto(live.url + "/worklist?within_days=30")
    link = page.locator(f'a[href="/patients/{patient}/readiness"]').first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/patients/{patient}/readiness")
    action = page.locator(f'a[href="/patients/{patient}/pregnancy-tests/new"]').first
    action.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/patients/{patient}/pregnancy-tests/new")
    # the form by keyboard: the time is filled in (now); Tab past its parts to the result
    page.locator("#taken_at").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "result":
            break
    page.keyboard.press("Space")
    assert page.locator('input[name="result"][value="negative"]').is_checked()
    page.keyboard.press("Tab")  # a radio group is one stop
    assert page.evaluate("document.activeElement.id") == "sensitivity_miu_ml"
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/patients/{patient}?saved=pregnancy-tests")
    assert "Pregnancy test recorded." in page.locator("main").inner_text()
    assert "25 mIU/mL" in page.locator("section[aria-labelledby=h-tests] table").inner_text()
    assert browser.console_errors == []


def test_a_nurse_chooses_the_pharmacy_from_the_checklist_by_keyboard(browser, axe, shoot):
    live = browser.live
    body = {"name": "Pia Pharmacy", "sex": "male", "birth_date": "1960-06-06"}
    patient = api(live.url, live.token_of("Dr. Ada Demo"), "POST", "/api/v1/patients", json=body)
    patient = patient["id"]  # enrolled without a pharmacy
    page = browser.page(token=live.token_of("Nora Demo, RN"))
    browser.console_errors.clear()  # the sign-in page's (the foundation's test covers it)
    page.goto(f"{live.url}/patients/{patient}/readiness")
    page.locator(f'a[href="/patients/{patient}/pharmacy"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/patients/{patient}/pharmacy")
    choice = page.locator(f'input[name="pharmacy_id"][value="{PHARMACY_ID}"]')
    assert "REMS-certified" in page.locator("label", has=choice).inner_text()
    choice.focus()
    page.keyboard.press("Space")
    assert choice.is_checked()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(f"**/patients/{patient}?saved=pharmacy")
    assert "Pharmacy chosen." in page.locator("main").inner_text()
    assert "Demo Specialty Pharmacy" in page.locator("dl.facts").inner_text()
    assert browser.console_errors == []  # nothing refused by the Content-Security-Policy
    checked = browser.page(token=live.token_of("Nora Demo, RN"), bypass_csp=True)
    checked.goto(f"{live.url}/patients/{patient}/pharmacy")
    assert checked.locator(f'input[value="{PHARMACY_ID}"]').is_checked()  # the current one
    for width in (1280, 390):
        checked.set_viewport_size({"width": width, "height": 900})
        check_page(checked, axe, shoot, "pharmacy-form", width)


def test_a_refused_authorization_shows_every_unmet_requirement(browser, axe, shoot):
    live = browser.live
    token = live.token_of("Dr. Ada Demo")
    patient = new_patient(live.url, token, name="Ulla Unmet", female=True, ready=False)
    body = {"patient_id": patient, "indication": "mm_combination", "dose_mg": 25, "days_supply": 28}
    refused = httpx.post(
        live.url + "/api/v1/authorizations",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    page = browser.page(token=token, bypass_csp=True)
    page.goto(f"{live.url}/patients/{patient}/authorizations/new")
    page.select_option("#indication", "mm_combination")
    page.select_option("#dose_mg", "25")
    page.fill("#days_supply", "28")
    page.click("main button[type=submit]")
    problems = page.locator("#form-problems")
    problems.wait_for()
    shown = problems.locator(".unmet li code").all_inner_texts()
    assert shown == [item["code"] for item in refused["unmet"]] and len(shown) >= 2
    assert page.evaluate("document.activeElement.id") == "form-problems"  # read out first
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, axe, shoot, "authorization-refused", width)


def test_a_pharmacist_confirms_and_dispenses(browser, axe, shoot):
    live = browser.live
    patient, number = authorized(live.url, live.tokens, "Paul Pharmacy")
    page = browser.page(token=live.token_of("Phil Demo"), bypass_csp=True)
    page.goto(f"{live.url}/patients/{patient}")
    page.click(f'form:has(input[value="{number}"]) button')
    page.wait_for_url(re.compile(r".*/confirmations/\d+$"))
    assert "Dispense before" in page.locator("main").inner_text()
    assert page.input_value("#quantity") == "21"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, axe, shoot, "dispense", width)
    page.fill("#quantity", "30")
    page.click("main button[type=submit]")
    assert "expected 21 capsules" in page.locator("#quantity-error").inner_text()
    page.fill("#quantity", "21")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/patients/{patient}?saved=dispensed")
    assert "21 × 25 mg" in page.locator("section[aria-labelledby=h-dispenses] table").inner_text()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_rems_page_passes_axe_and_fits_the_screen(browser, axe, shoot, width):
    live = browser.live
    nurse = browser.page(width=width, token=live.token_of("Nora Demo, RN"), bypass_csp=True)
    nurse.goto(live.url + "/patients")
    first = nurse.locator("table.patients tbody th a").first.get_attribute("href")
    pages = {
        "patients": "/patients",
        "record": first,
        "readiness": f"{first}/readiness",
        "worklist": "/worklist?within_days=30",
        "enroll": "/patients/new",
        "pregnancy-test-form": f"{first}/pregnancy-tests/new",
        "insurance-form": f"{first}/insurance/new",
    }
    for name, path in pages.items():
        nurse.goto(live.url + path)
        check_page(nurse, axe, shoot, name, width)
    nurse.goto(live.url + "/patients/new")
    nurse.click("main button[type=submit]")  # empty: every problem next to its field
    assert nurse.locator("#name-error").is_visible()
    check_page(nurse, axe, shoot, "enroll-refused", width)
    pharmacist = browser.page(width=width, token=live.token_of("Phil Demo"), bypass_csp=True)
    pharmacist.goto(live.url + "/confirmations/new")
    check_page(pharmacist, axe, shoot, "confirm", width)


def test_the_rems_pages_raise_no_content_security_policy_violation(browser):
    live = browser.live
    page = browser.page(token=live.token_of("Dr. Ada Demo"))
    browser.console_errors.clear()  # the sign-in page's (the foundation's test covers it)
    for path in ("/patients", "/patients/new", "/worklist"):
        page.goto(live.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(live.url + "/patients/new")
    page.locator('input[name="sex"][value="male"]').check()
    assert page.locator("#reproductive").is_hidden()  # rems.js ran
    assert browser.console_errors == []
