"""The handout in Chromium: a female of reproductive potential sees her pregnancy test dates,
the page passes axe-core, fits a phone, works by keyboard, raises no CSP violation, and prints
to PDF on A4 and Letter with the calendar and the test dates in the text."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.web.conftest import EXAMPLES

PDFTOTEXT = shutil.which("pdftotext")


def _handout(browser, example: str, *, width: int = 1280, bypass_csp: bool = True):
    page = browser.page(width=width, token=browser.live.first("nurse"), bypass_csp=bypass_csp)
    page.goto(browser.live.url + "/handout")
    page.fill("#case-text", (EXAMPLES / example).read_text())
    page.click('form[action="/handout"] button[type=submit]')
    page.wait_for_selector("h1")
    return page


def _pregnancy_days(page) -> list[str]:
    return (
        page.locator(".handout-day--test")
        .filter(has_text="Pregnancy test today.")
        .all_inner_texts()
    )


@pytest.mark.parametrize("example", ["frp-ready.yaml", "frp-not-ready.yaml"])
@pytest.mark.parametrize("width", [1280, 390])
def test_her_handout_shows_her_pregnancy_test_dates(browser, axe, shoot, example, width):
    page = _handout(browser, example, width=width)
    assert page.locator("h1").inner_text() == "Your lenalidomide plan"
    assert _pregnancy_days(page), "no pregnancy test day in the calendar"
    tests = page.locator("#tests-title + ul").inner_text()
    assert "Pregnancy test." in tests
    if example == "frp-not-ready.yaml":
        assert "Do not take your capsules until your care team tells you to." in page.inner_text(
            ".handout-plan"
        )
        assert page.locator(".handout-day--take").count() == 0
    else:
        assert page.locator(".handout-day--take").count() > 0
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"handout-{example.removesuffix('.yaml')}-{width}")


def test_the_buttons_work_by_keyboard_and_nothing_breaks_the_csp(browser):
    failed: list[str] = []
    page = browser.page(token=browser.live.first("nurse"))
    page.goto(browser.live.url + "/handout")
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on(
        "requestfailed", lambda r: failed.append(r.url) if "calendar.ics" not in r.url else None
    )
    page.fill("#case-text", (EXAMPLES / "frp-ready.yaml").read_text())
    page.click('form[action="/handout"] button[type=submit]')
    page.wait_for_load_state("networkidle")
    assert page.locator("#handout-print").is_visible()  # the script loaded and showed it
    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names == ["Back", "Print this sheet", "Add the dates to your phone"]
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "lenalidomide-demo-frp-ready.ics"
    # every asset of the handout loaded, and the CSP refused nothing (the browser's own
    # favicon request of the site's other pages is not the handout's)
    assert failed == []
    assert not [e for e in browser.console_errors if "Content Security Policy" in e]


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_it_prints_with_the_calendar_and_the_test_dates(browser, tmp_path, paper):
    page = _handout(browser, "frp-ready.yaml")
    page.emulate_media(media="print")
    assert not page.locator(".handout-tools").is_visible()  # no buttons on paper
    pdf = tmp_path / f"handout-{paper}.pdf"
    page.pdf(path=str(pdf), format=paper, print_background=True)
    raw = subprocess.run(
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(raw.split())
    assert "Your calendar:" in text and "Take 1 capsule." in text
    assert "Pregnancy test today." in text
    listed = page.locator("#tests-title + ul li").all_inner_texts()
    assert any("Pregnancy test." in item for item in listed)
    for item in listed:
        assert " ".join(item.split()) in text
    assert "Print this sheet" not in text


@pytest.mark.parametrize("width", [1280, 390])
def test_the_form_and_its_errors_pass_axe_and_fit(browser, axe, shoot, width):
    page = browser.page(width=width, token=browser.live.first("pharmacist"), bypass_csp=True)
    page.goto(browser.live.url + "/handout")
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"handout-form-{width}")
    page.fill("#case-text", "indication: mm_combination\npatient: {id: x, sex: other}\n")
    page.click('form[action="/handout"] button[type=submit]')
    page.wait_for_selector("#case-errors")
    assert page.get_attribute("#case-text", "aria-invalid") == "true"
    assert "patient.sex" in page.inner_text("#case-errors")
    assert axe(page) == []
    shoot(page, f"handout-form-errors-{width}")
