"""The case workbench and the assessment page, through the app (no browser).

The page must never contradict the JSON: for every example, the decision, the dose and the
blocking findings shown equal `lenaguard assess --json` on the same file. The form's fields
build a case file that assesses the same as the CLI on its YAML download; errors stand next to
the field they concern; case data is shown as text; oversized and invalid input are pages.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lenaguard.cli.app import app as cli
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.vocab import Indication, LabTest
from tests.web.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
FHIR_BUNDLE = (
    Path(__file__).resolve().parents[1]
    / "interop"
    / "fixtures"
    / "synthea_male_b1960_8e1a0a7c.bundle.json"
)


def cli_json(path: Path, *args: str) -> dict:
    """`lenaguard assess --json PATH`, in process."""
    result = CliRunner().invoke(cli, ["assess", "--json", *args, str(path)])
    assert result.exit_code in (0, 4), result.output
    return json.loads(result.stdout)


def shown(page: str) -> dict:
    """What the assessment page shows as the decision, dose and blockers (its data attributes)."""
    readiness = re.search(r'data-readiness="([a-z_]+)"', page)
    action = re.search(r'data-dose-action="([a-z_]+)"', page)
    dose = re.search(r'data-dose-mg="([0-9.]+)"', page)
    assert readiness and action, "the page shows no decision or dose panel"
    return {
        "readiness": readiness.group(1),
        "action": action.group(1),
        "dose_mg": float(dose.group(1)) if dose else None,
        "blocking": [html.unescape(b) for b in re.findall(r'data-blocking="([^"]+)"', page)],
    }


def expected(document: dict) -> dict:
    dose = document["dose"]
    return {
        "readiness": document["readiness"],
        "action": dose["action"] if dose else "none",
        "dose_mg": dose["dose_mg"] if dose else None,
        "blocking": document["blocking"],
    }


@pytest.fixture
def nurse(pages):
    return {"Authorization": f"Bearer {pages.token('nurse')}"}


@pytest.fixture
def client(pages):
    return pages.client()


def post_file(client, headers, path: Path, **data):
    return client.post(
        "/assess",
        headers=headers,
        files={"case": (path.name, path.read_bytes())},
        data={"mode": "file", **data},
    )


def test_every_example_shows_the_cli_decision_dose_and_blockers(client, nurse):
    assert len(EXAMPLE_FILES) >= 30
    for path in EXAMPLE_FILES:
        page = post_file(client, nurse, path)
        assert page.status_code == 200, (path.name, page.text[-2000:])
        document = cli_json(path)
        assert shown(page.text) == expected(document), path.name
        for finding_id in document["blocking"]:
            assert f'data-finding="{finding_id}"' in page.text or finding_id in page.text


def test_a_pasted_case_and_a_fhir_bundle_read_as_the_api_does(client, nurse):
    text = (EXAMPLES / "frp-not-ready.yaml").read_text()
    page = client.post("/assess", headers=nurse, data={"mode": "file", "case": text})
    assert page.status_code == 200
    assert shown(page.text) == expected(cli_json(EXAMPLES / "frp-not-ready.yaml"))
    assert shown(page.text)["readiness"] == "not_ready"

    unnamed = post_file(client, nurse, FHIR_BUNDLE, as_of_default="2026-11-20")
    assert unnamed.status_code == 422 and "no diagnosis (Condition) names" in unnamed.text
    page = post_file(
        client, nurse, FHIR_BUNDLE, as_of_default="2026-11-20", fhir_indication="mm_combination"
    )
    assert page.status_code == 200, page.text[-2000:]
    api = client.post(
        "/api/v1/assess?as_of=2026-11-20&indication=mm_combination",
        headers={**nurse, "content-type": "application/fhir+json"},
        content=FHIR_BUNDLE.read_bytes(),
    ).json()
    assert shown(page.text) == expected(api)
    assert api["patient_id"] in html.unescape(page.text)


def test_charts_carry_the_indications_thresholds_from_the_knowledge_base(client, nurse):
    kb = default_knowledge()
    page = post_file(client, nurse, EXAMPLES / "dosemod-mm-platelets-hold.yaml").text
    table = kb.get(DoseModificationKnowledge).table(Indication.MM_COMBINATION)
    for test in (LabTest.PLATELETS, LabTest.ANC):
        values = {t.below for row in table.rows_for(test) for t in row.triggers if t.below}
        figure = re.search(
            rf'<figure class="chart" id="chart-{test.value}">(.*?)</figure>', page, re.S
        )
        assert figure, f"no {test.value} chart"
        svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", figure.group(1)).group(1))
        assert b"<script" not in svg
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure.group(1), re.S).group(1)
        for value in values:
            words = f"{value:,.0f}"
            assert f"interrupt below {words}" in caption
            assert f"interrupt below {words}".encode() in svg  # the line's legend
        assert "2026-10-23 start 25 mg" in caption  # the timeline's events, in words
        assert "<table>" in figure.group(1)
    bands = kb.get(RenalKnowledge).bands
    renal = re.search(r'id="chart-renal">(.*?)</figure>', page, re.S).group(1)
    assert f"from {bands.normal.from_ml_min:g} mL/min" in renal
    assert f"from {bands.moderate.from_ml_min:g} mL/min" in renal

    response = post_file(client, nurse, EXAMPLES / "response-vgpr.yaml").text
    m_protein = re.search(r'id="chart-serum-m-protein">(.*?)</figure>', response, re.S)
    assert m_protein and "IMWG response on 2026-11-20: VGPR" in m_protein.group(1)
    assert "Nadir (lowest confirmed value, dashed line) 0.2 g/dL" in m_protein.group(1)


def test_no_chart_without_its_data(client, nurse):
    document = yaml.safe_load((EXAMPLES / "mm-newly-diagnosed.yaml").read_text())
    document["labs"] = [lab for lab in document.get("labs", []) if lab.get("test") == "creatinine"]
    page = client.post(
        "/assess", headers=nurse, data={"mode": "file", "case": yaml.safe_dump(document)}
    ).text
    assert 'id="chart-renal"' in page
    assert 'id="chart-anc"' not in page and 'id="chart-platelets"' not in page
    assert 'id="chart-serum-m-protein"' not in page


FORM = {
    "mode": "fields",
    "as_of": "2026-11-20",
    "indication": "mm_combination",
    "patient_id": "new-patient-1",
    "patient_sex": "male",
    "patient_age_years": "66",
    "patient_weight_kg": "80",
    "patient_height_cm": "178",
    "events-0-date": "2026-10-23",
    "events-0-event": "start",
    "events-0-dose_mg": "25",
    "events-0-frequency": "daily",
    "other_toxicity_grade": "0",
    "labs-0-test": "creatinine",
    "labs-0-value": "1.1",
    "labs-0-unit": "mg/dL",
    "labs-0-date": "2026-11-18",
    "labs-2-test": "platelets",
    "labs-2-value": "24",
    "labs-2-unit": "10^3/uL",
    "labs-2-date": "2026-11-18",
    "labs-3-test": "anc",
    "labs-3-value": "1.9",
    "labs-3-unit": "10^3/uL",
    "labs-3-date": "2026-11-18",
    "meds-0-name": "aspirin",
    "meds-0-dose_mg": "81",
    "cond-vte_history": "no",
    "cond-lenalidomide_hypersensitivity": "no",
    "symptoms": ["bruising"],
}


def test_the_form_builds_a_case_that_assesses_as_the_cli_does_on_its_yaml(client, nurse, tmp_path):
    download = client.post("/assess/case.yaml", headers=nurse, data=FORM)
    assert download.status_code == 200, download.text[-2000:]
    assert download.headers["content-type"].startswith("application/yaml")
    assert 'filename="new-patient-1.yaml"' in download.headers["content-disposition"]
    data = yaml.safe_load(download.text)
    assert data["patient"] == {
        "id": "new-patient-1",
        "sex": "male",
        "age_years": 66,
        "weight_kg": 80,
        "height_cm": 178,
    }
    assert [lab["test"] for lab in data["labs"]] == ["creatinine", "platelets", "anc"]
    assert data["symptoms"] == ["bruising"]
    path = tmp_path / "case.yaml"
    path.write_text(download.text)

    page = client.post("/assess", headers=nurse, data=FORM)
    assert page.status_code == 200, page.text[-2000:]
    document = cli_json(path)
    assert shown(page.text) == expected(document)
    assert (
        document["readiness"] == "not_ready"
        and "toxicity.platelets_interrupt" in document["blocking"]
    )


def test_errors_stand_next_to_their_fields_and_at_the_top(client, nurse):
    form = {**FORM, "labs-2-value": "88000", "labs-2-unit": "mg/dL", "patient_weight_kg": "0"}
    form["labs-2-test"] = "creatinine"
    page = client.post("/assess", headers=nurse, data=form)
    assert page.status_code == 422
    text = page.text
    # case item labs.1 is form row 2 (row 1 was left empty): the error sits in that row
    row = re.search(r'<label for="f-labs-2-value">Value</label>(.*?)<input[^>]*>', text, re.S)
    assert row and 'class="field__error"' in row.group(1)
    assert re.search(r'<input[^>]*id="f-labs-2-value"[^>]*aria-invalid="true"', text)
    weight = re.search(r'<label for="f-patient_weight_kg">.*?<input[^>]*>', text, re.S).group(0)
    assert "field__error" in weight and 'aria-invalid="true"' in weight
    top = re.search(r'<div class="alert alert--error".*?</div>', text, re.S).group(0)
    assert 'href="#f-labs-2-value"' in top and "labs.1.value" in top
    assert 'href="#f-patient_weight_kg"' in top
    # what was typed is kept
    assert 'value="88000"' in text and 'value="new-patient-1"' in text
    # the download refuses the same case the same way
    assert client.post("/assess/case.yaml", headers=nurse, data=form).status_code == 422


def test_a_patient_id_with_html_and_script_is_shown_as_text(client, nurse):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = client.post("/assess", headers=nurse, data={**FORM, "patient_id": hostile})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert html.escape(hostile, quote=True) in page.text or (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    )
    download = client.post("/assess/case.yaml", headers=nurse, data={**FORM, "patient_id": hostile})
    assert (
        'filename="script-alert-x-script-img-src-x-onerror-alert-1.yaml"'
        in download.headers["content-disposition"]
    )


def test_too_large_and_invalid_input_are_pages(client, nurse, monkeypatch):
    monkeypatch.setenv("LENAGUARD_MAX_CASE_BYTES", "2000")
    big = b"# padding\n" * 300
    page = client.post(
        "/assess", headers=nurse, files={"case": ("big.yaml", big)}, data={"mode": "file"}
    )
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]
    assert "larger than the limit of 2,000 bytes" in page.text
    pasted = client.post("/assess", headers=nurse, data={"mode": "file", "case": "x" * 80_000})
    assert pasted.status_code == 413 and "larger than the limit" in pasted.text
    monkeypatch.delenv("LENAGUARD_MAX_CASE_BYTES")

    bad = client.post(
        "/assess",
        headers=nurse,
        data={"mode": "file", "case": "as_of: 2026-01-01\npatient: {id: p, sex: robot}\n"},
    )
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert "patient.sex" in bad.text and "indication" in bad.text
    assert "as_of: 2026-01-01" in bad.text  # the pasted text comes back to be fixed
    empty = client.post("/assess", headers=nurse, data={"mode": "file", "case": ""})
    assert empty.status_code == 422 and "choose a case file or paste one" in empty.text


def test_signed_in_browsers_need_the_csrf_token(pages):
    browser = pages.sign_in("nurse")
    form = browser.get("/assess")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    text = (EXAMPLES / "male-patient.yaml").read_text()
    refused = browser.post("/assess", data={"mode": "file", "case": text})
    assert refused.status_code == 403
    token = pages.csrf(form.text)
    accepted = browser.post("/assess", data={"mode": "file", "case": text, "csrf_token": token})
    assert accepted.status_code == 200 and "data-readiness" in accepted.text
    anonymous = pages.client().get("/assess")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_page_loads_no_inline_script_or_style(client, nurse):
    for page in (
        client.get("/assess", headers=nurse).text,
        post_file(client, nurse, EXAMPLES / "response-vgpr.yaml").text,
    ):
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"\son[a-z]+=", page)


def _get(live, path: str, token: str):
    import httpx

    return httpx.get(live.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_an_enrolled_patients_assessment_opens_from_the_record(live):
    import httpx

    ada = live.token_of("Dr. Ada Demo")
    listed = httpx.get(
        live.url + "/api/v1/patients", headers={"Authorization": f"Bearer {ada}"}, timeout=30
    ).json()
    patient = next(item for item in listed["items"] if item["name"] == "Rosa Demo")
    path = f"/patients/{patient['id']}/assessment"
    page = _get(live, path, ada)
    assert page.status_code == 200, page.text[-2000:]
    api = httpx.post(
        live.url + f"/api/v1/patients/{patient['id']}/assess",
        headers={"Authorization": f"Bearer {ada}"},
        timeout=30,
    ).json()
    assert shown(page.text) == expected(api)
    assert f"the record of patient {patient['id']}" in page.text
    assert f'href="/patients/{patient["id"]}/handout"' in page.text
    assert f'href="/evidence?patient={patient["id"]}"' in page.text
    # the same refusal for a record the caller may not see and one that does not exist
    ben = live.token_of("Dr. Ben Demo")
    hidden = _get(live, path, ben)
    missing = _get(live, "/patients/pat_does_not_exist/assessment", ben)
    assert hidden.status_code == missing.status_code == 403
    assert "You may not see" in hidden.text and hidden.text == missing.text
    assert "Rosa" not in hidden.text
    # the patient may read their own record's page, not the workbench
    rosa = live.token_of("Rosa Demo")
    own = _get(live, path, rosa)
    assert own.status_code == 200
    # with a link to her handout, and none to the evidence page, which is for staff
    assert f'href="/patients/{patient["id"]}/handout"' in own.text
    assert "/evidence?patient=" not in own.text
    assert _get(live, "/evidence", rosa).status_code == 403
    assert _get(live, "/assess", rosa).status_code == 403


# ---------------------------------------------------------------- handing the case on


def _handoff_forms(page: str) -> dict[str, list[tuple[str, str]]]:
    """The hidden fields an assessment page posts on, by the address each of its buttons
    posts them to (one form; the evidence button sets its own `formaction`)."""
    section = page[page.index('aria-label="This case"') :]
    found = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', section, re.S)
    assert found, "the page hands the case on with no form"
    action, body = found.groups()
    fields = [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', body)
    ]
    actions = [action, *re.findall(r'formaction="([^"]+)"', body)]
    return {address: fields for address in actions}


def test_an_uploaded_case_goes_on_to_its_handout_and_the_evidence_with_its_choices(client, nurse):
    """The hand-off posts the same case with the same indication and date, so the handout and
    the evidence page assess what the workbench assessed (a FHIR Bundle that names no
    indication, read on a chosen date)."""
    page = post_file(
        client, nurse, FHIR_BUNDLE, as_of_default="2026-11-20", fhir_indication="mm_combination"
    )
    assert page.status_code == 200, page.text[-2000:]
    forms = _handoff_forms(page.text)
    assert set(forms) == {"/handout", "/evidence"}
    for fields in forms.values():
        assert dict(fields)["case"] == FHIR_BUNDLE.read_text()
        assert ("indication", "mm_combination") in fields
        assert ("as_of_default", "2026-11-20") in fields

    handout = client.post("/handout", headers=nurse, data=dict(forms["/handout"]))
    assert handout.status_code == 200, handout.text[-2000:]
    direct = client.post(
        "/handout",
        headers=nurse,
        files={"case": (FHIR_BUNDLE.name, FHIR_BUNDLE.read_bytes())},
        data={"indication": "mm_combination", "as_of_default": "2026-11-20"},
    )
    assert direct.status_code == 200 and handout.text == direct.text

    asked = client.post("/evidence", headers=nurse, data=dict(forms["/evidence"]))
    assert asked.status_code == 200, asked.text[-2000:]
    patient_id = re.search(r'<span class="patient-id">([^<]+)</span>', page.text).group(1)
    assert f"Answers are about patient <code>{patient_id}</code>" in asked.text
    assert "case assessed on 2026-11-20" in asked.text
    # the choices stay with the case for the next question
    assert 'name="indication" value="mm_combination"' in asked.text
    assert 'name="as_of_default" value="2026-11-20"' in asked.text


def test_a_pasted_case_and_one_built_with_the_fields_go_on_as_their_case_files(client, nurse):
    text = (EXAMPLES / "frp-not-ready.yaml").read_text()
    pasted = client.post("/assess", headers=nurse, data={"mode": "file", "case": text})
    forms = _handoff_forms(pasted.text)
    assert forms["/handout"] == [("case", text)]
    handout = client.post("/handout", headers=nurse, data=dict(forms["/handout"]))
    direct = client.post("/handout", headers=nurse, data={"case": text})
    assert handout.status_code == 200 and handout.text == direct.text

    built = client.post("/assess", headers=nurse, data=FORM)
    download = client.post("/assess/case.yaml", headers=nurse, data=FORM)
    assert _handoff_forms(built.text)["/evidence"] == [("case", download.text)]


def test_a_bad_choice_in_a_handed_on_case_names_its_field(client, nurse):
    text = (EXAMPLES / "male-patient.yaml").read_text()
    refused = client.post(
        "/handout", headers=nurse, data={"case": text, "as_of_default": "20-11-2026"}
    )
    assert refused.status_code == 422 and "give a date as YYYY-MM-DD" in refused.text
    refused = client.post(
        "/evidence", headers=nurse, data={"case": text, "indication": "<b>mm</b>"}
    )
    assert refused.status_code == 422  # the evidence page shows the problem beside the case
    assert "is not an indication" in refused.text and "<b>mm</b>" not in refused.text


def test_the_handout_and_evidence_pages_refuse_what_the_workbench_refuses(
    client, nurse, monkeypatch
):
    """One reader for a posted case: the same size limit and the same encodings everywhere."""
    monkeypatch.setenv("LENAGUARD_MAX_CASE_BYTES", "2000")
    for path in ("/handout", "/evidence"):
        pasted = client.post(path, headers=nurse, data={"case": "x" * 80_000, "q": "dose?"})
        assert pasted.status_code == 422, path
        assert "larger than the 2,000-byte limit for a case file" in pasted.text, path
        utf32 = client.post(
            path,
            headers=nurse,
            files={"case": ("c.yaml", "patient: {}".encode("utf-32"))},
            data={"q": "dose?"},
        )
        assert utf32.status_code == 422 and "UTF-32 text is not accepted" in utf32.text, path


def test_a_signed_in_browser_hands_the_case_on_with_its_form_token(pages):
    browser = pages.sign_in("nurse")
    text = (EXAMPLES / "frp-ready.yaml").read_text()
    token = pages.csrf(browser.get("/assess").text)
    page = browser.post("/assess", data={"mode": "file", "case": text, "csrf_token": token})
    assert page.status_code == 200
    fields = _handoff_forms(page.text)["/handout"]
    assert ("csrf_token", token) in fields and ("case", text) in fields
    handout = browser.post("/handout", data=dict(fields))
    assert handout.status_code == 200 and "pregnancy test" in handout.text.lower()
    asked = browser.post("/evidence", data=dict(fields))
    assert asked.status_code == 200 and "Answers are about patient" in asked.text
    forged = browser.post("/handout", data={**dict(fields), "csrf_token": "0" * 64})
    assert forged.status_code == 403
