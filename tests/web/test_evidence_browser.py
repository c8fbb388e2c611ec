"""The evidence page in Chromium: asked with the keyboard alone (htmx answers in place and
moves focus to the answer), citations that jump to their reference, axe-core, a phone's width,
no Content-Security-Policy violation, screenshots at 1280 and 390 pixels."""

from __future__ import annotations

from pathlib import Path

import pytest

from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import default_knowledge

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"

QUESTION = "Can Revlimid be used in patients with viral infections?"


def _tab_to(page, element_id: str, presses: int = 30) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with the Tab key")


@pytest.mark.parametrize("width", [1280, 390])
def test_ask_with_the_keyboard_alone(browser, axe, shoot, width):
    page = browser.page(width=width, token=browser.live.first("nurse"), bypass_csp=True)
    page.goto(browser.live.url + "/evidence")
    assert axe(page) == []
    shoot(page, f"evidence-ask-{width}")
    _tab_to(page, "q")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-title")
    # answered in place (htmx): the address is still the form's, focus is on the answer
    assert page.url == browser.live.url + "/evidence"
    # htmx settles the swap a moment after the answer appears; focus moves then
    page.wait_for_function("document.activeElement && document.activeElement.id === 'answer'")
    assert page.locator("#answer-title").inner_text() == QUESTION
    assert page.locator("h3", has_text="From the Guidelines").count() == 1
    # the first citation link, reached by Tab, jumps to its reference
    target = page.locator("#answer a.cite").first.get_attribute("href")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cite')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == target
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == target
    assert page.locator(f"{target}:target").count() == 1
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"evidence-answer-{width}")


def test_the_page_works_without_a_csp_violation_and_without_script(browser, live):
    page = browser.page(token=live.first("pharmacist"))
    page.goto(live.url + "/evidence")
    page.fill("#q", "Where is a good Italian restaurant nearby?")
    page.click("#evidence button[type=submit]")
    page.wait_for_selector(".answer__abstained")
    assert browser.console_errors == []
    # without JavaScript the same form posts and the page comes back with the answer
    context = browser._browser.new_context(java_script_enabled=False)
    browser.contexts.append(context)
    plain = context.new_page()
    plain.goto(live.url + "/login")
    plain.fill("#token", live.first("pharmacist"))
    plain.click("button[type=submit]")
    plain.goto(live.url + "/evidence")
    plain.fill("#q", QUESTION)
    plain.click("#evidence button[type=submit]")
    plain.wait_for_selector("#answer-title")
    assert plain.locator(".answer__part").count() >= 1


@pytest.fixture
def live_documents(live):
    """The sample documents in the live server's library for one test, removed afterwards."""
    library = Library(live.settings.home / "evidence", default_knowledge())
    library.ingest(sorted(DOCUMENTS.glob("*.txt")))
    yield library
    library.remove([document.id for document in library.documents()])


@pytest.mark.parametrize("width", [1280, 390])
def test_conflicts_sit_side_by_side_and_stack_on_a_phone(
    browser, axe, shoot, live_documents, width
):
    page = browser.page(width=width, token=browser.live.first("prescriber"), bypass_csp=True)
    page.goto(browser.live.url + "/evidence")
    page.fill("#q", QUESTION)
    page.press("#q", "Enter")
    page.wait_for_selector("article.conflict")
    claim = page.locator(".conflict__side--claim").first.bounding_box()
    knowledge = page.locator(".conflict__side--knowledge").first.bounding_box()
    if width >= 1000:  # two columns: the same row, the document on the left
        assert claim["y"] == knowledge["y"] and claim["x"] < knowledge["x"]
    else:  # one column: the document above the knowledge
        assert claim["x"] == knowledge["x"] and claim["y"] < knowledge["y"]
    assert page.locator("h3", has_text="From the Research").count() == 1
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"evidence-conflicts-{width}")
