"""The case workbench in Chromium: upload, fill in from scratch, charts, axe, fit and keyboard.

Few tests, each doing much: every Chromium page costs seconds.
"""

from __future__ import annotations

import base64
import re

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.vocab import Indication, LabTest
from tests.web.conftest import EXAMPLES
from tests.web.test_assess_pages import FHIR_BUNDLE, cli_json, expected

UPLOADS = sorted(EXAMPLES.glob("*.yaml"))
"""Every bundled example (not ready with blocking findings, ready, held with a restart plan, …);
the hold example last, for its screenshot."""
UPLOADS.sort(key=lambda path: path.name == "dosemod-mm-platelets-hold.yaml")


def shown(page) -> dict:
    dose = page.locator("[data-dose-mg]")
    return {
        "readiness": page.locator("[data-readiness]").get_attribute("data-readiness"),
        "action": page.locator("[data-dose-action]").get_attribute("data-dose-action"),
        "dose_mg": float(dose.get_attribute("data-dose-mg")) if dose.count() else None,
        "blocking": [
            node.get_attribute("data-blocking") for node in page.locator("[data-blocking]").all()
        ],
    }


def signed_in(browser) -> None:
    """Forget what the sign-in pages logged: the foundation's pages name no icon, so Chromium
    asks for /favicon.ico and logs its 404 there; these tests check the workbench's pages."""
    browser.console_errors.clear()


def fits(page, width: int) -> None:
    """Nothing wider than the screen (the message names what sticks out)."""
    wider = page.evaluate(
        """width => {
            const found = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode() && found.length < 5) {
                const range = document.createRange();
                range.selectNodeContents(walker.currentNode);
                if (range.getBoundingClientRect().right > width + 1) {
                    found.push(walker.currentNode.parentElement.className + ': '
                        + walker.currentNode.textContent.trim().slice(0, 60));
                }
            }
            return found;
        }""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wider


def test_uploading_examples_shows_the_cli_decision(browser, live, axe, shoot):
    token = live.first("nurse")
    page = browser.page(width=1280, token=token)
    signed_in(browser)
    assert len(UPLOADS) >= 39
    for path in UPLOADS:
        page.goto(live.url + "/assess")
        page.set_input_files("#f-case-file", str(path))
        page.locator("#upload button[type=submit]").click()
        page.wait_for_selector("[data-readiness]")
        assert shown(page) == expected(cli_json(path)), path.name
        banner = page.locator(".banner").inner_text()
        for blocker in cli_json(path)["blocking"]:
            assert blocker in banner
    shoot(page, "assessment-hold-1280")

    # a FHIR bundle, with the indication its diagnoses do not give
    page.goto(live.url + "/assess")
    page.set_input_files("#f-case-file", str(FHIR_BUNDLE))
    page.fill("#f-as_of_default", "2026-11-20")
    page.select_option("#f-fhir_indication", "mm_combination")
    page.locator("#upload button[type=submit]").click()
    page.wait_for_selector("[data-readiness]")
    assert "Assessment of patient" in page.locator("h1").inner_text()
    assert page.locator("[data-finding]").count() > 0
    patient_id = page.locator(".patient-id").inner_text()
    # the same case, its indication and date go on to the handout and the evidence page
    page.get_by_role("button", name="Patient handout").click()
    page.wait_for_load_state()
    assert patient_id in page.content() and page.locator("h1").count() == 1
    page.go_back()
    page.get_by_role("button", name="Ask the evidence about this patient").click()
    page.wait_for_selector("#evidence")
    about = page.locator(".evidence-form__case .alert--info").inner_text()
    assert f"Answers are about patient {patient_id}" in about
    assert "case assessed on 2026-11-20" in about
    assert browser.console_errors == []


def test_the_chart_shows_the_thresholds_and_pages_pass_axe_at_both_widths(
    browser, live, axe, shoot
):
    token = live.first("nurse")
    kb = default_knowledge()
    table = kb.get(DoseModificationKnowledge).table(Indication.MM_COMBINATION)
    below = {t.below for row in table.rows_for(LabTest.PLATELETS) for t in row.triggers if t.below}
    for width in (1280, 390):
        page = browser.page(width=width, token=token, bypass_csp=True)
        page.goto(live.url + "/assess")
        assert axe(page) == []
        fits(page, width)
        shoot(page, f"assess-form-{width}")
        page.set_input_files("#f-case-file", str(EXAMPLES / "dosemod-mm-platelets-hold.yaml"))
        page.locator("#upload button[type=submit]").click()
        page.wait_for_selector("#chart-platelets")
        figure = page.locator("#chart-platelets")
        caption = figure.locator("figcaption").inner_text()
        src = figure.locator("img").get_attribute("src")
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        for value in below:
            assert f"interrupt below {value:,.0f}" in caption and f"{value:,.0f}" in svg
        assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        assert axe(page) == []
        fits(page, width)
        shoot(page, f"assessment-{width}")
    # without bypassing the policy: nothing on the pages breaks it
    strict = browser.page(width=1280, token=token)
    signed_in(browser)
    strict.goto(live.url + "/assess")
    strict.set_input_files("#f-case-file", str(EXAMPLES / "response-vgpr.yaml"))
    strict.locator("#upload button[type=submit]").click()
    strict.wait_for_selector("#chart-serum-m-protein")
    shoot(strict, "assessment-response-1280")
    assert browser.console_errors == []


def test_filling_the_form_from_scratch_by_keyboard_gives_the_cli_assessment(
    browser, live, shoot, tmp_path
):
    page = browser.page(width=390, token=live.first("nurse"))
    signed_in(browser)
    page.goto(live.url + "/assess#fields")
    values = {
        "#f-patient_id": "new-from-scratch",
        "#f-patient_birth_date": "1961-03-02",
        "#f-patient_weight_kg": "63",
        "#f-patient_height_cm": "160",
        "#f-as_of": "2026-11-20",
    }
    for selector, value in values.items():
        page.fill(selector, value)
    page.select_option("#f-patient_sex", "female")
    page.select_option("#f-indication", "mm_combination")
    page.select_option("#f-hysterectomy", "yes")
    page.select_option("#f-bilateral_oophorectomy", "yes")
    # more lab rows than the page offers: the script adds one (by keyboard)
    offered = page.locator("#rows-labs [data-row]").count()
    labs = [
        ("creatinine", "0.9", "mg/dL"),
        ("anc", "2.1", "10^3/uL"),
        ("platelets", "180", "10^3/uL"),
        ("hemoglobin", "11.2", "g/dL"),
        ("alt", "22", "U/L"),
        ("ast", "25", "U/L"),
        ("bilirubin", "0.6", "mg/dL"),
    ]
    assert len(labs) > offered
    for index, (test, value, unit) in enumerate(labs):
        if index >= page.locator("#rows-labs [data-row]").count():
            page.locator("[data-add-row=labs]").focus()
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.name") == f"labs-{index}-test"
        page.select_option(f"#f-labs-{index}-test", test)
        page.fill(f"#f-labs-{index}-value", value)
        page.select_option(f"#f-labs-{index}-unit", unit)
        page.fill(f"#f-labs-{index}-date", "2026-11-18")
    page.select_option("#f-cond-vte_history", "no")
    page.check("#f-symptom-fatigue")
    # the YAML download, then the assessment
    with page.expect_download() as download:
        page.locator("button[formaction='/assess/case.yaml']").click()
    path = tmp_path / "case.yaml"
    download.value.save_as(path)
    page.locator("#case-form button[type=submit]:not([formaction])").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-readiness]")
    fits(page, 390)
    shoot(page, "assessment-from-form-390")
    document = cli_json(path)
    assert shown(page) == expected(document)
    assert re.search(r"new-from-scratch", page.locator("h1").inner_text())
    assert browser.console_errors == []
