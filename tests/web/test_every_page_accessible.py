"""Every page of the app, on a 390-pixel phone: axe-core finds no serious or critical WCAG 2.1
AA violation and nothing scrolls sideways.

The pages are found, not listed: every GET route of the app that uses `PageRoute` (the web
pages' route class), so a page added later is swept without anyone editing this file. A path
parameter is filled from the live demo clinic through `FILL` below; a page whose parameters
the sweep cannot fill, that no demo user may open, or that answers something other than HTML
without being named in `NOT_HTML` fails with a message saying what to add here. Nothing is
skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from fastapi import routing

from lenaguard.service import create_app
from lenaguard.store import Database
from lenaguard.web.auth import PageRoute
from lenaguard.workflow.demo import PHARMACY_ID, PRESCRIBER_ID
from tests.web.test_rems_browser import confirmation_number

WIDTH = 390
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass(frozen=True)
class Clinic:
    """What the demo clinic holds, to fill a page's path parameters."""

    url: str
    tokens: dict[str, tuple[str, str]]
    patients: list[dict]

    def patient(self, name: str) -> dict:
        return next(p for p in self.patients if p["name"] == name)


FILL: dict[str, Callable[[Clinic], list[str]]] = {
    # a woman of reproductive potential (the most to show) and a child with a guardian
    "patient_id": lambda clinic: [
        clinic.patient("Rosa Demo")["id"],
        clinic.patient("Lily Demo")["id"],
    ],
    "prescriber_id": lambda clinic: [PRESCRIBER_ID],
    "pharmacy_id": lambda clinic: [PHARMACY_ID],
    "kind": lambda clinic: ["agreements", "pregnancy-tests", "counselling", "surveys", "insurance"],
    "number": lambda clinic: [confirmation_number(clinic.url, clinic.tokens)],
}
"""Path parameter name -> the values to open the page with, from the demo clinic."""

QUERY: dict[str, dict[str, str]] = {}
"""Route path -> the values of its required query parameters."""

NOT_HTML: dict[str, str] = {
    "/patients/{patient_id}/handout.ics": "the handout's test and dosing dates, a calendar file",
}
"""Route path -> why it is not a page to sweep (a download: a calendar file, YAML, a PDF)."""

STAFF_ORDER = ("Dr. Ada Demo", "nurse", "pharmacist", "admin")
"""Who opens a page: the demo prescriber (all demo patients are hers), then the first nurse,
pharmacist and admin; then the patient the page is about (or the first patient)."""


def page_routes(app) -> Iterator[tuple[str, PageRoute]]:
    """(path, route) of every GET route of `app` that is a web page, included routers too."""
    iterate = getattr(routing, "iter_route_contexts", None)
    found = (
        (context.original_route for context in iterate(app.routes)) if iterate else iter(app.routes)
    )
    for route in found:
        if isinstance(route, PageRoute) and "GET" in (route.methods or ()):
            yield route.path, route


def _required_query(route: PageRoute) -> list[str]:
    """The query parameters the route and its dependencies require."""
    required, pending = [], [route.dependant]
    while pending:
        dependant = pending.pop()
        required += [p.alias for p in dependant.query_params if p.field_info.is_required()]
        pending.extend(dependant.dependencies)
    return required


def _addresses(path: str, route: PageRoute, clinic: Clinic) -> tuple[list[tuple], list[str]]:
    """The addresses to open for a route (with the patient each is about), or what is missing
    from this file's tables."""
    names = PARAMETER.findall(path)
    missing = [f"FILL[{name!r}]" for name in names if name not in FILL]
    query = QUERY.get(path, {})
    missing += [f"QUERY[{path!r}][{n!r}]" for n in _required_query(route) if n not in query]
    if missing:
        return [], missing
    filled: list[tuple[str, str | None]] = [(path, None)]
    for name in names:
        filled = [
            (
                re.sub(rf"{{{name}(?::\w+)?}}", quote(value, safe=""), address, count=1),
                value if name == "patient_id" else about,
            )
            for address, about in filled
            for value in FILL[name](clinic)
        ]
    suffix = "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items()) if query else ""
    return [(address + suffix, about) for address, about in filled], []


def _openers(clinic: Clinic, patient_id: str | None) -> list[tuple[str, str]]:
    """(who, token) in the order the sweep tries them."""
    by_role: dict[str, tuple[str, str]] = {}
    for name, (role, token) in clinic.tokens.items():
        by_role.setdefault(role, (name, token))
    openers = []
    for who in STAFF_ORDER:
        if who in clinic.tokens:
            openers.append((who, clinic.tokens[who][1]))
        elif who in by_role:
            openers.append(by_role[who])
    patient = next((p["name"] for p in clinic.patients if p["id"] == patient_id), None)
    if patient and patient in clinic.tokens:
        openers.append((patient, clinic.tokens[patient][1]))
    elif "patient" in by_role:
        openers.append(by_role["patient"])
    return openers


@pytest.fixture(scope="module")
def clinic(live) -> Clinic:
    token = live.token_of("Dr. Ada Demo")
    answer = httpx.get(
        live.url + "/api/v1/patients",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return Clinic(url=live.url, tokens=live.tokens, patients=answer.json()["items"])


@pytest.fixture(scope="module")
def routes(live) -> list[tuple[str, PageRoute]]:
    database = Database(live.settings.database_url)
    try:
        app = create_app(live.settings, database=database, migrate=False)
        return sorted(page_routes(app), key=lambda item: item[0])
    finally:
        database.dispose()


def test_the_sweep_finds_the_pages_of_every_page_module(routes):
    """The discovery sees routers included into the app (a FastAPI that wraps included routers
    must not hide them), so the sweep below has something to sweep."""
    paths = {path for path, _route in routes}
    assert {"/", "/login", "/evidence"} <= paths


def test_every_page_is_accessible_and_fits_a_phone(routes, clinic, browser, axe, shoot):
    problems: list[str] = []
    pages: dict[str, object] = {}
    swept = 0
    for path, route in routes:
        addresses, missing = _addresses(path, route, clinic)
        if missing:
            problems.append(
                f"{path}: the sweep cannot fill {', '.join(missing)}; add it to the tables at "
                "the top of tests/web/test_every_page_accessible.py"
            )
            continue
        for address, patient_id in addresses:
            tried = []
            opener = None
            for who, token in _openers(clinic, patient_id):
                answer = httpx.get(
                    clinic.url + address, headers={"Authorization": f"Bearer {token}"}
                )
                tried.append(f"{who}: {answer.status_code}")
                if answer.status_code == 200:
                    opener = (who, token, answer.headers.get("content-type", ""))
                    break
            if opener is None:
                problems.append(
                    f"{address}: no demo user may open it ({'; '.join(tried)}); fill its "
                    "parameters with values a demo user may see (FILL), or give it a demo user"
                )
                continue
            who, token, media = opener
            if not media.startswith("text/html"):
                if path not in NOT_HTML:
                    problems.append(
                        f"{address}: answers {media}, not a page; name it in NOT_HTML with why"
                    )
                continue
            if token not in pages:
                pages[token] = browser.page(width=WIDTH, token=token, bypass_csp=True)
            page = pages[token]
            page.goto(clinic.url + address)
            violations = axe(page)
            if violations:
                problems.append(f"{address} ({who}): axe: {violations}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                problems.append(f"{address} ({who}): {width} px wide at {WIDTH} px")
            slug = re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-") or "home"
            shoot(page, f"sweep-{slug[:80]}-{WIDTH}")
            swept += 1
    assert swept >= 3
    assert not problems, "\n".join(["pages that fail the sweep:", *problems])


def test_a_page_the_sweep_cannot_fill_is_named_not_skipped():
    """A new page whose path parameter or required query the tables do not know comes back as
    what to add, which the sweep reports as a failure."""
    from fastapi import APIRouter, Query

    router = APIRouter(route_class=PageRoute)

    @router.get("/things/{mystery}/{patient_id}")
    def thing(mystery: str, patient_id: str, colour: str = Query()) -> str:
        return mystery + patient_id + colour

    patients = [{"id": "p1", "name": "Rosa Demo"}, {"id": "p2", "name": "Lily Demo"}]
    clinic = Clinic(url="", tokens={}, patients=patients)
    [(path, route)] = page_routes(_AppOf(router))
    addresses, missing = _addresses(path, route, clinic)
    assert addresses == []
    assert missing == ["FILL['mystery']", "QUERY['/things/{mystery}/{patient_id}']['colour']"]
    FILL["mystery"] = lambda clinic: ["a b", "c"]
    QUERY[path] = {"colour": "red"}
    try:
        addresses, missing = _addresses(path, route, clinic)
    finally:
        del FILL["mystery"], QUERY[path]
    assert missing == []
    assert sorted(addresses) == [
        ("/things/a%20b/p1?colour=red", "p1"),
        ("/things/a%20b/p2?colour=red", "p2"),
        ("/things/c/p1?colour=red", "p1"),
        ("/things/c/p2?colour=red", "p2"),
    ]


class _AppOf:
    """Just enough of an app for `page_routes`: its routes."""

    def __init__(self, router):
        self.routes = router.routes
