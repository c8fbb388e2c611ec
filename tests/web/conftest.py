"""Fixtures for the web pages: an app with signed-in test clients, and a real browser.

- `pages`: the app over an empty SQLite database with a TestClient; `pages.sign_in(role)` makes
  a user and signs a fresh client in through the login page (session cookie), and
  `pages.csrf(client)` reads the CSRF token the pages put in their forms. The workflow itself
  is tested on SQLite and PostgreSQL under tests/service; the pages only call it.
- `live`: a real server (uvicorn in a thread) over a SQLite database with the demo clinic
  loaded (`lenaguard serve --demo`), and its users' API tokens by name.
- `browser`: Debian's Chromium driven by Playwright. Without /usr/bin/chromium these tests skip
  with the install command, except under CI (CI=1), where they fail.
- `axe`: runs axe-core (npm package, installed once into a cache folder) on a page.
- `shoot`: saves a screenshot under test-artifacts/screenshots/ (kept by CI as artifacts).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lenaguard.settings import Settings
from lenaguard.store import Database, upgrade
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import create_user, issue_token
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CHROMIUM = Path(os.environ.get("LENAGUARD_CHROMIUM", "/usr/bin/chromium"))
INSTALL_CHROMIUM = "apt-get install -y chromium"
ARTIFACTS = Path(os.environ.get("LENAGUARD_TEST_ARTIFACTS", ROOT / "test-artifacts"))
AXE_VERSION = "4.10"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


# --- the app and signed-in clients ------------------------------------------------------------


@dataclass
class Pages:
    """The app with a way to make users and clients signed in as them."""

    app: object
    database: Database
    settings: Settings
    clients: list = field(default_factory=list)

    def client(self):
        from fastapi.testclient import TestClient

        client = TestClient(self.app, follow_redirects=False)
        client.__enter__()
        self.clients.append(client)
        return client

    def token(self, role: Role | str, name: str = "Test User", **links) -> str:
        """A new user's API token; a prescriber or pharmacist without a record gets a new,
        certified one."""
        role = Role(role)
        with self.database.transaction() as session:
            if role is Role.PRESCRIBER and "prescriber_id" not in links:
                links["prescriber_id"] = _party(session, Prescriber, "prs", npi="1234567893")
            if role is Role.PHARMACIST and "pharmacy_id" not in links:
                links["pharmacy_id"] = _party(session, Pharmacy, "phm")
            user = create_user(session, role=role, name=name, **links)
            return issue_token(session, user, days=1)

    def sign_in(
        self, role: Role | str | None = None, name: str = "Test User", *, token=None, **links
    ):
        """A fresh client signed in through the login page as a new user (or with `token`)."""
        token = token or self.token(role, name, **links)
        client = self.client()
        form = client.get("/login")
        assert form.status_code == 200, form.text
        answer = client.post(
            "/login",
            data={"token": token, "csrf_token": self.csrf(form.text), "next": "/"},
        )
        assert answer.status_code == 303, answer.text
        return client

    @staticmethod
    def csrf(html: str) -> str:
        """The CSRF token a page put in its forms."""
        found = CSRF_INPUT.search(html)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)


def _party(session, model, prefix: str, **fields) -> str:
    today = dt.date.today()
    row = model(
        id=new_id(prefix),
        name=f"Test {prefix}",
        certified_on=today - dt.timedelta(days=30),
        certification_expires_on=today + dt.timedelta(days=700),
        **fields,
    )
    session.add(row)
    session.flush()
    return row.id


def _settings(home: Path, database: Database, **overrides) -> Settings:
    return Settings(
        home=home,
        database_url=database.url,
        timezone_name=overrides.pop("timezone_name", "America/New_York"),
        **overrides,
    )


@pytest.fixture
def pages(tmp_path) -> Iterator[Pages]:
    from lenaguard.service import create_app

    database = Database(f"sqlite:///{tmp_path / 'lenaguard.sqlite3'}")
    upgrade(database)
    settings = _settings(
        tmp_path, database, clinic_name="Demo Oncology Clinic", clinic_phone="555-0100"
    )
    app = create_app(settings, database=database, migrate=False)
    found = Pages(app=app, database=database, settings=settings)
    yield found
    found.close()
    database.dispose()


# --- a live server with the demo clinic ---------------------------------------------------------


@dataclass
class Live:
    url: str
    tokens: dict[str, tuple[str, str]]
    """Demo user name -> (role, API token)."""
    settings: Settings

    def token_of(self, name: str) -> str:
        return self.tokens[name][1]

    def first(self, role: str) -> str:
        """The token of the first demo user with `role`."""
        return next(token for (found, token) in self.tokens.values() if found == role)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    import uvicorn

    from lenaguard.service import create_app
    from lenaguard.workflow.demo import load_demo

    home = Path(tempfile.mkdtemp(prefix="lenaguard-live-"))
    database = Database(f"sqlite:///{home / 'lenaguard.sqlite3'}")
    upgrade(database)
    settings = _settings(
        home, database, clinic_name="Demo Oncology Clinic", clinic_phone="555-0100"
    )
    with database.transaction() as session:
        lines = load_demo(session, settings)
    tokens = {}
    for line in lines[1:]:
        role, rest = line.split(maxsplit=1)
        name, token = rest.rsplit(maxsplit=1)
        tokens[name.strip()] = (role, token)
    app = create_app(settings, database=database, migrate=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield Live(url=f"http://127.0.0.1:{port}", tokens=tokens, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()
    shutil.rmtree(home, ignore_errors=True)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright_browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's Chromium at {CHROMIUM}: {INSTALL_CHROMIUM}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class BrowserSession:
    """Opens pages in Chromium at a given width, signed in as a demo user or not, and records
    console errors (a Content-Security-Policy violation shows up there)."""

    def __init__(self, browser, live: Live):
        self._browser = browser
        self.live = live
        self.contexts: list = []
        self.console_errors: list[str] = []

    def page(self, *, width: int = 1280, token: str | None = None, bypass_csp: bool = False):
        context = self._browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        if token:
            page.goto(self.live.url + "/login")
            page.fill("#token", token)
            page.click("button[type=submit]")
            page.wait_for_url(self.live.url + "/")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(_playwright_browser, live) -> Iterator[BrowserSession]:
    session = BrowserSession(_playwright_browser, live)
    yield session
    session.close()


# --- axe-core and screenshots -----------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser script, from npm (installed once into a cache folder)."""
    given = os.environ.get("LENAGUARD_AXE_JS")
    if given:
        return Path(given).read_text(encoding="utf-8")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lenaguard-tests"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        problem = None
        if npm is None:
            problem = "npm is not installed"
        else:
            cache.mkdir(parents=True, exist_ok=True)
            done = subprocess.run(
                [npm, "install", "--no-save", "--prefix", str(cache), f"axe-core@{AXE_VERSION}"],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0 or not script.exists():
                problem = f"npm install axe-core failed: {done.stderr[-400:]}"
        if problem:
            if in_ci():
                pytest.fail(problem)
            pytest.skip(problem)
    return script.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """`axe(page)`: axe-core's serious and critical WCAG 2.1 A/AA violations on the page."""

    def run(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            }"""
        )
        return [v for v in result if v["impact"] in ("serious", "critical")]

    return run


@pytest.fixture
def shoot():
    """`shoot(page, name)`: a full-page screenshot in test-artifacts/screenshots/NAME.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def world(pages):
    """The test clinic of the service tests (tests/service/builders.py) on the pages' app, its
    clock set to now: (service, clinic, now)."""
    from tests.service import builders
    from tests.service.conftest import Service

    service = Service(pages.client(), pages.database, pages.settings)
    clinic = builders.clinic(service)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clinic.moment(now)
    return service, clinic, now
