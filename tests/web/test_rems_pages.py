"""The REMS workflow pages through a TestClient: each form's success and refusal (field
problems next to the field, unmet requirements with their codes, nothing stored), CSRF,
escaping, the worklist and the readiness checklist.

The clinic, its users and its patients come from tests/service/builders.py (rows inserted
directly); the pages are called with the users' Bearer tokens unless a test is about the
signed-in browser (cookie and CSRF).
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.dispensing.models import Authorization, Dispense
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey
from tests.service import builders as b

FRP = RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
MALE = RemsRiskCategory.ADULT_MALE


def count(pages, table, **where) -> int:
    with pages.database.reading() as session:
        query = select(func.count()).select_from(table)
        for key, value in where.items():
            query = query.where(getattr(table, key) == value)
        return session.execute(query).scalar_one()


def as_(clinic, role: str) -> dict[str, str]:
    return clinic.headers[role]


def token_of(clinic, role: str) -> str:
    return clinic.headers[role]["Authorization"].removeprefix("Bearer ")


def local(moment: dt.datetime, pages) -> str:
    return moment.astimezone(pages.settings.timezone).strftime("%Y-%m-%dT%H:%M")


def main_text(html: str) -> str:
    body = html[html.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# ---------------------------------------------------------------- the list and enrollment


def test_the_list_shows_only_the_callers_patients_and_finds_by_name_or_id(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    mine = b.enroll(service, clinic, MALE, today=today)
    theirs = b.enroll(service, clinic, FRP, today=today, prescriber=clinic.other_prescriber)
    page = service.client.get("/patients", headers=as_(clinic, "nurse"))
    assert page.status_code == 200
    assert f"/patients/{mine.id}" in page.text and f"/patients/{theirs.id}" not in page.text
    admin = service.client.get("/patients?q=ADULT_FEMALE", headers=as_(clinic, "admin"))
    assert f"/patients/{theirs.id}" in admin.text and f"/patients/{mine.id}" not in admin.text
    by_id = service.client.get(f"/patients?q={mine.id}", headers=as_(clinic, "admin"))
    assert "1 patient" in main_text(by_id.text) and f"/patients/{mine.id}" in by_id.text
    nothing = service.client.get("/patients?q=%25", headers=as_(clinic, "admin"))
    assert "No patient matches" in nothing.text  # a % is a character, not a wildcard


def test_a_patient_opening_the_list_goes_to_their_own_record(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, MALE, today=pages.settings.clinic_date(now))
    answer = service.client.get("/patients", headers=b.patient_headers(service, patient.id))
    assert answer.status_code == 303 and answer.headers["location"] == f"/patients/{patient.id}"


def test_the_record_links_to_the_patients_other_pages_by_role(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, MALE, today=pages.settings.clinic_date(now))
    staff = service.client.get(f"/patients/{patient.id}", headers=as_(clinic, "nurse")).text
    assert f'href="/patients/{patient.id}/assessment"' in staff
    assert f'href="/patients/{patient.id}/handout"' in staff
    assert f'href="/evidence?patient={patient.id}"' in staff
    own = service.client.get(
        f"/patients/{patient.id}", headers=b.patient_headers(service, patient.id)
    ).text
    assert f'href="/patients/{patient.id}/handout"' in own  # the patient's own handout
    assert "/assessment" not in own and "/evidence" not in own


def test_enrollment_stores_the_patient_and_opens_the_record(pages, world):
    service, clinic, _now = world
    answer = service.client.post(
        "/patients/new",
        data={
            "name": "Grace Field",
            "sex": "female",
            "birth_date": "1985-03-02",
            "reproductive.hysterectomy": "no",
            "reproductive.months_since_last_menses": "0",
            "prescriber_id": clinic.prescriber.id,
        },
        headers=as_(clinic, "nurse"),
    )
    assert answer.status_code == 303, answer.text
    record = service.client.get(answer.headers["location"], headers=as_(clinic, "nurse"))
    text = main_text(record.text)
    assert "Grace Field" in text and "Patient enrolled." in text
    assert "reproductive potential" in text  # the category computed from her history
    with pages.database.reading() as session:
        stored = session.execute(select(Patient).where(Patient.name == "Grace Field")).scalar_one()
        assert stored.reproductive == {"hysterectomy": False, "months_since_last_menses": 0}


def test_enrollment_refused_shows_each_problem_next_to_its_field_and_stores_nothing(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    child = service.client.post(
        "/patients/new",
        data={"name": "Kid", "sex": "male", "birth_date": (today.replace(year=today.year - 10))},
        headers=as_(clinic, "prescriber"),
    )
    assert child.status_code == 422
    assert re.search(r'id="guardian_name-error"[^>]*>[^<]*REMS child category', child.text)
    assert 'id="guardian_name" name="guardian_name"' in child.text
    assert 'aria-invalid="true"' in child.text and 'value="Kid"' in child.text  # kept
    missing = service.client.post(
        "/patients/new",
        data={"name": "X", "birth_date": "not-a-date"},
        headers=as_(clinic, "admin"),
    )
    assert missing.status_code == 422
    for name in ("sex", "birth_date"):
        assert f'id="{name}-error"' in missing.text
    assert count(pages, Patient) == 0


def test_a_name_with_markup_is_shown_as_text_everywhere(pages, world):
    service, clinic, _now = world
    name = '<script>alert("x")</script><b>Bold</b>'
    answer = service.client.post(
        "/patients/new",
        data={"name": name, "sex": "male", "birth_date": "1950-01-01"},
        headers=as_(clinic, "prescriber"),
    )
    assert answer.status_code == 303
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;"
    patient_id = answer.headers["location"].split("/")[2].split("?")[0]
    for path in ("/patients", f"/patients/{patient_id}", f"/patients/{patient_id}/readiness"):
        html = service.client.get(path, headers=as_(clinic, "prescriber")).text
        assert escaped in html, path
        assert "<script>alert" not in html and "<b>Bold</b>" not in html, path


# ---------------------------------------------------------------- the record forms


def test_a_pregnancy_test_is_recorded_and_shown_on_the_record(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, FRP, today=pages.settings.clinic_date(now))
    form = service.client.get(
        f"/patients/{patient.id}/pregnancy-tests/new", headers=as_(clinic, "nurse")
    )
    assert form.status_code == 200 and 'type="datetime-local"' in form.text
    taken = now - dt.timedelta(hours=3)
    answer = service.client.post(
        f"/patients/{patient.id}/pregnancy-tests/new",
        data={"taken_at": local(taken, pages), "result": "negative", "sensitivity_miu_ml": "25"},
        headers=as_(clinic, "nurse"),
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/patients/{patient.id}?saved=pregnancy-tests"
    with pages.database.reading() as session:
        test = session.execute(select(PregnancyTest)).scalar_one()
        assert test.taken_at == taken.replace(second=0)  # the clinic's wall clock, to the minute
        assert test.result == "negative" and test.sensitivity_miu_ml == 25
    record = main_text(
        service.client.get(answer.headers["location"], headers=as_(clinic, "nurse")).text
    )
    assert "Pregnancy test recorded." in record and "Negative" in record and "25 mIU/mL" in record


def test_a_pregnancy_test_refused_shows_the_unmet_requirement_or_the_field(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    male = b.enroll(service, clinic, MALE, today=today)
    refused = service.client.post(
        f"/patients/{male.id}/pregnancy-tests/new",
        data={"taken_at": local(now - dt.timedelta(hours=1), pages), "result": "negative"},
        headers=as_(clinic, "prescriber"),
    )
    assert refused.status_code == 422
    assert "<code>pregnancy_tests_not_applicable</code>" in refused.text
    frp = b.enroll(service, clinic, FRP, today=today)
    future = service.client.post(
        f"/patients/{frp.id}/pregnancy-tests/new",
        data={"taken_at": local(now + dt.timedelta(days=2), pages), "result": "negative"},
        headers=as_(clinic, "prescriber"),
    )
    assert future.status_code == 422
    assert re.search(r'id="taken_at-error"[^>]*>in the future', future.text)
    no_result = service.client.post(
        f"/patients/{frp.id}/pregnancy-tests/new",
        data={"taken_at": local(now, pages), "result": "maybe"},
        headers=as_(clinic, "prescriber"),
    )
    assert no_result.status_code == 422 and 'id="result-error"' in no_result.text
    assert count(pages, PregnancyTest) == 0


def test_counselling_insurance_and_a_prescriber_survey_are_recorded(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.enroll(service, clinic, MALE, today=today)
    base = f"/patients/{patient.id}"
    posts = [
        ("counselling", {"kind": "rems_education", "given_on": today.isoformat()}),
        (
            "insurance",
            {"payer": "Acme Health", "member_id": "A-1", "prior_authorization": "pending"},
        ),
        ("surveys", {"respondent": "prescriber", "taken_at": local(now, pages)}),
    ]
    for kind, data in posts:
        answer = service.client.post(f"{base}/{kind}/new", data=data, headers=as_(clinic, "nurse"))
        assert answer.status_code == 303, (kind, answer.text[-800:])
    assert count(pages, Counselling) == count(pages, Insurance) == count(pages, Survey) == 1
    record = main_text(service.client.get(base, headers=as_(clinic, "nurse")).text)
    assert "Acme Health" in record and "REMS education and Medication Guide" in record


def test_record_forms_refused_keep_the_values_and_store_nothing(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.enroll(service, clinic, MALE, today=today)
    base = f"/patients/{patient.id}"
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    late = service.client.post(
        f"{base}/counselling/new",
        data={"kind": "contraception", "given_on": tomorrow},
        headers=as_(clinic, "nurse"),
    )
    assert late.status_code == 422 and re.search(r'id="given_on-error"[^>]*>after the', late.text)
    assert f'value="{tomorrow}"' in late.text
    empty = service.client.post(
        f"{base}/insurance/new",
        data={"payer": "", "member_id": "M", "prior_authorization": "approved"},
        headers=as_(clinic, "nurse"),
    )
    assert empty.status_code == 422 and 'id="payer-error"' in empty.text
    assert count(pages, Counselling) == count(pages, Insurance) == 0


def test_an_agreement_is_signed_once_then_the_conflict_is_shown(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.enroll(service, clinic, MALE, today=today, signed=False)
    path = f"/patients/{patient.id}/agreements/new"
    form = service.client.get(path, headers=as_(clinic, "prescriber"))
    assert "not signed yet" in form.text
    data = {"signer": "patient", "signed_on": today.isoformat()}
    first = service.client.post(path, data=data, headers=as_(clinic, "prescriber"))
    assert first.status_code == 303
    again = service.client.post(path, data=data, headers=as_(clinic, "prescriber"))
    assert again.status_code == 409
    assert "Agreement already recorded" in again.text and 'id="signer-error"' in again.text


def test_a_patient_records_their_own_survey_but_not_the_prescribers(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, MALE, today=pages.settings.clinic_date(now))
    own = b.patient_headers(service, patient.id)
    path = f"/patients/{patient.id}/surveys/new"
    form = service.client.get(path, headers=own)
    assert form.status_code == 200 and "your own patient survey" in form.text
    taken = local(now - dt.timedelta(minutes=5), pages)
    done = service.client.post(path, data={"respondent": "patient", "taken_at": taken}, headers=own)
    assert done.status_code == 303
    other = service.client.post(
        path, data={"respondent": "prescriber", "taken_at": taken}, headers=own
    )
    assert other.status_code == 403
    assert count(pages, Survey) == 1


def test_a_form_posted_with_the_cookie_but_without_its_csrf_token_is_refused(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, MALE, today=pages.settings.clinic_date(now))
    browser = pages.sign_in(token=token_of(clinic, "nurse"))
    path = f"/patients/{patient.id}/counselling/new"
    data = {"kind": "rems_education", "given_on": pages.settings.clinic_date(now).isoformat()}
    assert browser.post(path, data=data).status_code == 403
    assert browser.post(path, data=data | {"csrf_token": "0" * 64}).status_code == 403
    assert count(pages, Counselling) == 0
    token = pages.csrf(browser.get(path).text)
    assert browser.post(path, data=data | {"csrf_token": token}).status_code == 303
    assert count(pages, Counselling) == 1
    enroll = {"name": "N", "sex": "male", "birth_date": "1950-01-01"}
    assert browser.post("/patients/new", data=enroll).status_code == 403
    assert count(pages, Patient) == 1


# ---------------------------------------------------------------- authorization and pharmacy


def test_an_authorization_refused_lists_every_unmet_requirement(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, FRP, today=pages.settings.clinic_date(now), signed=False)
    answer = service.client.post(
        f"/patients/{patient.id}/authorizations/new",
        data={"indication": "mm_combination", "dose_mg": "25", "days_supply": "28"},
        headers=as_(clinic, "prescriber"),
    )
    assert answer.status_code == 422
    api = b.authorize(service, patient.id, as_(clinic, "prescriber")).json()
    codes = [item["code"] for item in api["unmet"]]
    assert len(codes) >= 4
    shown = re.findall(r"<li><code>([a-z_]+)</code>", answer.text)
    assert shown == codes  # every one, in the API's order
    for item in api["unmet"]:
        assert item["message"].replace("'", "&#39;") in answer.text
    assert count(pages, Authorization) == 0


def test_an_authorization_with_a_bad_field_names_the_field(pages, world):
    service, clinic, now = world
    patient = b.ready_patient(service, clinic, MALE, today=pages.settings.clinic_date(now))
    answer = service.client.post(
        f"/patients/{patient.id}/authorizations/new",
        data={"indication": "mm_combination", "dose_mg": "7", "days_supply": "28"},
        headers=as_(clinic, "nurse"),
    )
    assert answer.status_code == 422
    assert re.search(r'id="dose_mg-error"[^>]*>7 mg is not a capsule strength', answer.text)
    too_long = service.client.post(
        f"/patients/{patient.id}/authorizations/new",
        data={"indication": "mm_combination", "dose_mg": "25", "days_supply": "500"},
        headers=as_(clinic, "nurse"),
    )
    assert too_long.status_code == 422 and 'id="days_supply-error"' in too_long.text


def test_prescriber_authorizes_pharmacist_confirms_and_dispenses(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.ready_patient(
        service, clinic, MALE, today=today, when=now - dt.timedelta(minutes=5)
    )
    form = service.client.get(
        f"/patients/{patient.id}/authorizations/new", headers=as_(clinic, "prescriber")
    )
    assert 'value="mm_combination" selected' in form.text  # the stored case's indication
    issued = service.client.post(
        f"/patients/{patient.id}/authorizations/new",
        data={"indication": "mm_combination", "dose_mg": "25", "days_supply": "28"},
        headers=as_(clinic, "prescriber"),
    )
    assert issued.status_code == 303, main_text(issued.text)[:1500]
    with pages.database.reading() as session:
        number = session.execute(select(Authorization.number)).scalar_one()
    record = service.client.get(f"/patients/{patient.id}", headers=as_(clinic, "pharmacist"))
    assert f'name="number" value="{number}"' in record.text  # the pharmacist's Confirm button
    other = service.client.post(
        "/confirmations/new", data={"number": number}, headers=as_(clinic, "other_pharmacist")
    )
    assert other.status_code == 403
    confirmed = service.client.post(
        "/confirmations/new", data={"number": number}, headers=as_(clinic, "pharmacist")
    )
    assert confirmed.status_code == 303
    page = service.client.get(confirmed.headers["location"], headers=as_(clinic, "pharmacist"))
    text = main_text(page.text)
    assert "Dispense before" in text and number in text
    assert 'name="quantity" type="number" value="21"' in page.text  # 28 days, days 1-21
    action = re.search(r'action="(/confirmations/\d+/dispense)"', page.text).group(1)
    wrong = service.client.post(
        action,
        data={"capsule_strength_mg": "25", "days_supply": "28", "quantity": "28"},
        headers=as_(clinic, "pharmacist"),
    )
    assert wrong.status_code == 422
    assert re.search(r'id="quantity-error"[^>]*>expected 21 capsules', wrong.text)
    assert count(pages, Dispense) == 0
    done = service.client.post(
        action,
        data={"capsule_strength_mg": "25", "days_supply": "28", "quantity": "21"},
        headers=as_(clinic, "pharmacist"),
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/patients/{patient.id}?saved=dispensed"
    assert count(pages, Dispense) == 1
    again = service.client.post(
        action,
        data={"capsule_strength_mg": "25", "days_supply": "28", "quantity": "21"},
        headers=as_(clinic, "pharmacist"),
    )
    assert again.status_code == 409 and "Confirmation already used" in again.text
    after = main_text(
        service.client.get(done.headers["location"], headers=as_(clinic, "pharmacist")).text
    )
    assert "Dispense recorded." in after and "21 × 25 mg" in after


def test_a_confirmation_refused_says_why(pages, world):
    service, clinic, now = world
    refused = service.client.post(
        "/confirmations/new", data={"number": "12ab"}, headers=as_(clinic, "pharmacist")
    )
    assert refused.status_code == 422 and 'id="number-error"' in refused.text
    unknown = service.client.post(
        "/confirmations/new", data={"number": "1234567890"}, headers=as_(clinic, "pharmacist")
    )
    assert unknown.status_code == 403  # the same answer as another pharmacy's number


# ---------------------------------------------------------------- readiness and the worklist


def test_the_readiness_checklist_shows_status_date_owner_and_next_step(pages, world):
    service, clinic, now = world
    patient = b.enroll(service, clinic, FRP, today=pages.settings.clinic_date(now))
    page = service.client.get(f"/patients/{patient.id}/readiness", headers=as_(clinic, "nurse"))
    assert page.status_code == 200
    api = service.client.get(
        f"/api/v1/patients/{patient.id}/readiness", headers=as_(clinic, "nurse")
    ).json()
    items = re.findall(r'<li class="check check--([a-z_]+)">', page.text)
    assert items == [item["status"] for item in api["items"]]
    text = main_text(page.text)
    for item in api["items"]:
        assert item["next_step"] in text.replace("&#39;", "'")
    assert "Not ready yet" in text and "Owner" in text
    assert f"/patients/{patient.id}/pregnancy-tests/new" in page.text  # the next step's form


def test_the_worklist_lists_overdue_before_due_with_links(pages, world):
    service, clinic, now = world
    today = pages.settings.clinic_date(now)
    patient = b.enroll(service, clinic, FRP, today=today)
    page = service.client.get("/worklist?within_days=30", headers=as_(clinic, "nurse"))
    assert page.status_code == 200
    api = service.client.get("/api/v1/worklist?within_days=30", headers=as_(clinic, "nurse")).json()
    assert api["total"] > 0 and str(api["total"]) + " items" in main_text(page.text)
    statuses = re.findall(r'class="work__item work__item--([a-z]+)"', page.text)
    assert statuses == sorted(statuses, key=lambda status: status != "overdue")
    assert len(statuses) == api["total"]
    assert f"/patients/{patient.id}/readiness" in page.text
    assert f'href="/patients/{patient.id}/pregnancy-tests/new"' in page.text  # do it now
    assert (
        service.client.get("/worklist", headers=b.patient_headers(service, patient.id)).status_code
        == 403
    )
