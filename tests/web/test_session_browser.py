"""The login and start pages in Chromium: keyboard only, axe-core, a phone's width, no CSP
violation in the console."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_in_with_the_keyboard_alone(browser, axe, shoot, width):
    page = browser.page(width=width, bypass_csp=True)
    page.goto(browser.live.url + "/")
    assert page.url.endswith("/login?next=/") or page.url.endswith("/login")
    assert axe(page) == []
    shoot(page, f"login-{width}")
    # Tab from the top: the skip link first, the token field within a few presses (after the
    # site's name); Enter submits the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "token":
            break
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.type(browser.live.first("prescriber"))
    page.keyboard.press("Enter")
    page.wait_for_url(browser.live.url + "/")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert axe(page) == []
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"home-prescriber-{width}")


def test_pages_raise_no_content_security_policy_violation(browser):
    page = browser.page(token=browser.live.first("nurse"))
    page.goto(browser.live.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.htmx") == "object"  # the vendored script loaded
    assert browser.console_errors == []


def test_a_wrong_token_is_announced_next_to_the_field(browser, axe):
    page = browser.page(bypass_csp=True)
    page.goto(browser.live.url + "/login")
    page.fill("#token", "lg_wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text().startswith("That token is not valid")
    assert page.get_attribute("#token", "aria-invalid") == "true"
    assert axe(page) == []
