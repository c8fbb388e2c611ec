"""The page that chooses a patient's pharmacy (`/patients/{id}/pharmacy`), through a TestClient.

It calls the service function of `PUT /api/v1/patients/{id}/pharmacy` with the same caller, so
the same role rules, certification check and audit apply: a nurse's choice shows on the record,
turns the readiness item `pharmacy_chosen` done and is what the API then reads; an uncertified
or unknown pharmacy is refused next to the field with nothing stored; a pharmacist may not
choose; the patient may choose their own.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy
from lenaguard.workflow.patients.models import Patient
from tests.service import builders as b
from tests.web.test_rems_pages import as_, main_text, token_of

MALE = RemsRiskCategory.ADULT_MALE


def stored_pharmacy(pages, patient_id: str) -> str | None:
    with pages.database.reading() as session:
        return session.get(Patient, patient_id).pharmacy_id


def choices_audited(pages, patient_id: str) -> list[dict]:
    """The audit entries of pharmacy choices for the patient: actor role, entity, before, after."""
    with pages.database.reading() as session:
        rows = session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "choose_pharmacy", AuditEntry.entity_id == patient_id
            )
        ).scalars()
        return [
            {"role": r.actor_role, "entity": r.entity, "before": r.before, "after": r.after}
            for r in rows
        ]


def readiness_row(html: str, label: str) -> str:
    """The readiness checklist's item titled `label` (its markup)."""
    rows = [row for row in html.split('<li class="check ')[1:] if f">{label}</h2>" in row]
    assert len(rows) == 1, label
    return rows[0]


def add_pharmacy(pages, name: str, certified_on=None, expires_on=None) -> str:
    pharmacy = Pharmacy(
        id=new_id("phm"),
        name=name,
        certified_on=certified_on,
        certification_expires_on=expires_on,
    )
    with pages.database.transaction() as session:
        session.add(pharmacy)
    return pharmacy.id


@pytest.fixture
def unchosen(pages, world):
    """The clinic, a male patient of its prescriber without a pharmacy, and the clinic's today."""
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.enroll(service, clinic, MALE, today=today, pharmacy=False)
    return service, clinic, patient, today


def test_a_nurse_chooses_a_certified_pharmacy_and_readiness_and_the_api_see_it(pages, unchosen):
    service, clinic, patient, _today = unchosen
    nurse = as_(clinic, "nurse")
    base = f"/patients/{patient.id}"
    record = service.client.get(base, headers=nurse).text
    assert "Not chosen yet" in main_text(record)
    assert f'href="{base}/pharmacy"' in record and "Choose a pharmacy" in record
    before = service.client.get(f"{base}/readiness", headers=nurse).text
    item = readiness_row(before, "Pharmacy chosen")
    assert item.startswith("check--due") and f'href="{base}/pharmacy"' in item

    form = service.client.get(f"{base}/pharmacy", headers=nurse)
    assert form.status_code == 200
    for pharmacy in (clinic.pharmacy, clinic.other_pharmacy):
        assert re.search(
            rf'<input type="radio" name="pharmacy_id" value="{pharmacy.id}">\s*'
            rf'<span><span class="choice__name">{pharmacy.name}</span> '
            r'<span class="status status--done">REMS-certified</span>',
            form.text,
        ), pharmacy.name
    assert "none chosen yet" in main_text(form.text)

    chosen = service.client.post(
        f"{base}/pharmacy", data={"pharmacy_id": clinic.other_pharmacy.id}, headers=nurse
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == f"{base}?saved=pharmacy"
    assert stored_pharmacy(pages, patient.id) == clinic.other_pharmacy.id

    after = main_text(service.client.get(chosen.headers["location"], headers=nurse).text)
    assert "Pharmacy chosen." in after and "Pharmacy Other Rx Change the pharmacy" in after
    assert "Not chosen yet" not in after
    ready = service.client.get(f"{base}/readiness", headers=nurse).text
    item = readiness_row(ready, "Pharmacy chosen")
    assert item.startswith("check--done") and "Nothing to do: Other Rx." in item
    assert "/pharmacy" not in item  # nothing left to do there
    api_items = service.client.get(f"/api/v1{base}/readiness", headers=nurse).json()["items"]
    assert {i["item"]: i["status"] for i in api_items}["pharmacy_chosen"] == "done"
    api = service.client.get(f"/api/v1{base}", headers=nurse).json()
    assert api["pharmacy_id"] == clinic.other_pharmacy.id

    [audited] = choices_audited(pages, patient.id)  # the API's audit, once
    assert audited["role"] == "nurse" and audited["entity"] == "patient"
    assert audited["before"]["pharmacy_id"] is None
    assert audited["after"]["pharmacy_id"] == clinic.other_pharmacy.id

    again = service.client.get(f"{base}/pharmacy", headers=nurse).text
    assert f'value="{clinic.other_pharmacy.id}" checked' in again  # the current one
    assert "Now: Other Rx (REMS-certified)." in main_text(again)


def test_an_uncertified_or_unknown_pharmacy_is_refused_next_to_the_field(pages, unchosen):
    service, clinic, patient, today = unchosen
    long_ago = today - dt.timedelta(days=400)
    expired = add_pharmacy(pages, "Lapsed Rx", long_ago, today - dt.timedelta(days=1))
    future = add_pharmacy(pages, "Soon Rx", today + dt.timedelta(days=10))
    never = add_pharmacy(pages, "Never Rx")
    until = add_pharmacy(pages, "Until Rx", long_ago, today + dt.timedelta(days=30))
    path = f"/patients/{patient.id}/pharmacy"
    nurse = as_(clinic, "nurse")

    form = service.client.get(path, headers=nurse).text

    def on(day: dt.date) -> str:
        return f'<time datetime="{day}">{day}</time>'

    for pharmacy_id, words in (
        (expired, "Not REMS-certified: the certification ended on " + on(today - dt.timedelta(1))),
        (future, "Not REMS-certified until " + on(today + dt.timedelta(days=10))),
        (never, "Not REMS-certified"),
    ):
        assert re.search(
            rf'value="{pharmacy_id}" disabled>\s*<span>.*?status--blocked">{words}</span>',
            form,
        ), words
    assert re.search(
        rf'value="{until}">\s*<span>.*?status--done">REMS-certified through '
        + on(today + dt.timedelta(days=30)),
        form,
    )
    order = re.findall(r'class="choice__name">([^<]+)<', form)  # certified first, by name
    assert order == ["Other Rx", "Specialty Rx", "Until Rx", "Lapsed Rx", "Never Rx", "Soon Rx"]

    refusals = ((expired, "Lapsed Rx"), (future, "Soon Rx"), (never, "Never Rx"))
    for pharmacy_id, name in refusals:  # a forged post of a disabled choice
        refused = service.client.post(path, data={"pharmacy_id": pharmacy_id}, headers=nurse)
        assert refused.status_code == 422
        assert re.search(
            rf'id="pharmacy_id-error"[^>]*>{name} \({pharmacy_id}\) is not REMS-certified on '
            rf"{today}<",
            refused.text,
        )
        assert "<li><code>pharmacy_not_certified</code> Choose a pharmacy certified" in (
            refused.text
        )
        assert 'aria-invalid="true"' in refused.text and "Nothing was saved." in refused.text
    unknown = service.client.post(path, data={"pharmacy_id": "phm_nosuch"}, headers=nurse)
    assert unknown.status_code == 422
    assert re.search(
        r'id="pharmacy_id-error"[^>]*>no pharmacy with id &#39;phm_nosuch&#39;<', (unknown.text)
    )
    empty = service.client.post(path, data={}, headers=nurse)
    assert empty.status_code == 422
    assert re.search(r'id="pharmacy_id-error"[^>]*>Field required<', empty.text)
    too_long = service.client.post(path, data={"pharmacy_id": "p" * 41}, headers=nurse)
    assert too_long.status_code == 422 and 'id="pharmacy_id-error"' in too_long.text

    assert stored_pharmacy(pages, patient.id) is None
    assert choices_audited(pages, patient.id) == []


def test_when_no_pharmacy_is_certified_the_form_says_so_and_offers_no_choice(pages, unchosen):
    service, clinic, patient, today = unchosen
    with pages.database.transaction() as session:
        for pharmacy in session.execute(select(Pharmacy)).scalars():
            pharmacy.certification_expires_on = today - dt.timedelta(days=1)
    form = service.client.get(f"/patients/{patient.id}/pharmacy", headers=as_(clinic, "nurse"))
    assert form.status_code == 200
    text = main_text(form.text)
    assert f"No pharmacy is REMS-certified on {today}" in text
    assert 'type="submit"' not in form.text.split("<main", 1)[1]
    assert form.text.count('name="pharmacy_id"') == 2
    assert form.text.count(" disabled>") == 2 and " checked" not in form.text


def test_a_form_without_its_csrf_token_is_refused(pages, unchosen):
    service, clinic, patient, _today = unchosen
    browser = pages.sign_in(token=token_of(clinic, "nurse"))
    path = f"/patients/{patient.id}/pharmacy"
    data = {"pharmacy_id": clinic.pharmacy.id}
    assert browser.post(path, data=data).status_code == 403
    assert browser.post(path, data=data | {"csrf_token": "0" * 64}).status_code == 403
    assert stored_pharmacy(pages, patient.id) is None
    token = pages.csrf(browser.get(path).text)
    assert browser.post(path, data=data | {"csrf_token": token}).status_code == 303
    assert stored_pharmacy(pages, patient.id) == clinic.pharmacy.id


def test_a_pharmacist_may_not_choose_and_sees_no_link(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, MALE, today=pages.settings.clinic_date(now))
    path = f"/patients/{patient.id}/pharmacy"
    pharmacist = as_(clinic, "pharmacist")  # of the patient's pharmacy: sees the record
    record = service.client.get(f"/patients/{patient.id}", headers=pharmacist)
    assert record.status_code == 200 and path not in record.text
    assert service.client.get(path, headers=pharmacist).status_code == 403
    refused = service.client.post(
        path, data={"pharmacy_id": clinic.other_pharmacy.id}, headers=pharmacist
    )
    assert refused.status_code == 403
    assert "You may not see this page or record, or it does not exist." in refused.text
    assert stored_pharmacy(pages, patient.id) == clinic.pharmacy.id
    assert choices_audited(pages, patient.id) == []


def test_a_patient_chooses_their_own_pharmacy_but_not_anothers(pages, unchosen):
    service, clinic, patient, today = unchosen
    own = b.patient_headers(service, patient.id)
    path = f"/patients/{patient.id}/pharmacy"
    record = service.client.get(f"/patients/{patient.id}", headers=own).text
    assert f'href="{path}"' in record
    readiness = service.client.get(f"/patients/{patient.id}/readiness", headers=own).text
    assert f'href="{path}"' in readiness_row(readiness, "Pharmacy chosen")
    form = service.client.get(path, headers=own)
    assert form.status_code == 200 and "fill your prescriptions" in form.text
    done = service.client.post(path, data={"pharmacy_id": clinic.pharmacy.id}, headers=own)
    assert done.status_code == 303
    assert stored_pharmacy(pages, patient.id) == clinic.pharmacy.id
    [audited] = choices_audited(pages, patient.id)
    assert audited["role"] == "patient"

    other = b.enroll(service, clinic, MALE, today=today, pharmacy=False)
    theirs = f"/patients/{other.id}/pharmacy"
    assert service.client.get(theirs, headers=own).status_code == 403
    refused = service.client.post(theirs, data={"pharmacy_id": clinic.pharmacy.id}, headers=own)
    assert refused.status_code == 403
    assert stored_pharmacy(pages, other.id) is None


def test_a_pharmacy_name_with_markup_is_shown_as_text(pages, unchosen):
    service, clinic, patient, today = unchosen
    name = '<script>alert("x")</script><b>Rx</b>'
    pharmacy_id = add_pharmacy(pages, name, today - dt.timedelta(days=30))
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Rx&lt;/b&gt;"
    nurse = as_(clinic, "nurse")
    path = f"/patients/{patient.id}/pharmacy"
    form = service.client.get(path, headers=nurse).text
    assert escaped in form and "<script>alert" not in form and "<b>Rx</b>" not in form
    chosen = service.client.post(path, data={"pharmacy_id": pharmacy_id}, headers=nurse)
    assert chosen.status_code == 303
    for page in (f"/patients/{patient.id}", path, f"/patients/{patient.id}/readiness"):
        html = service.client.get(page, headers=nurse).text
        assert escaped in html, page
        assert "<script>alert" not in html and "<b>Rx</b>" not in html, page
