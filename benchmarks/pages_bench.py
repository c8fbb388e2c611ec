"""Server time and page weight of the assessment page (POST /assess), for every example.

Run:  python benchmarks/pages_bench.py [--rounds 5]

What it does, in one process (no network: the app runs under Starlette's TestClient):
1. Makes the app over a fresh SQLite database and a nurse's API token.
2. Posts every case file in examples/ to POST /assess (multipart field `case`) `--rounds`
   times after one warm-up round, timing each request on the server side (from the request
   entering the app to the last byte of the response, measured by a middleware).
3. Weighs the heaviest page with its assets: the HTML plus the stylesheets and scripts it links
   (charts are inside the HTML as data: URLs).
Prints one JSON document: p50/p95/max server time in ms, and the page weight in kB. The target
(issue 11) is p95 < 150 ms and a page under 500 kB with its assets.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    from fastapi.testclient import TestClient

    from lenaguard.service import create_app
    from lenaguard.settings import Settings
    from lenaguard.store import Database, upgrade
    from lenaguard.workflow.accounts.models import Role
    from lenaguard.workflow.accounts.service import create_user, issue_token

    home = Path(tempfile.mkdtemp(prefix="lenaguard-pages-bench-"))
    database = Database(f"sqlite:///{home / 'lenaguard.sqlite3'}")
    upgrade(database)
    settings = Settings(home=home, database_url=database.url, timezone_name="America/New_York")
    app = create_app(settings, database=database, migrate=False)
    timings: list[float] = []

    @app.middleware("http")
    async def server_time(request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await call_next(request)
        if request.url.path == "/assess" and request.method == "POST":
            body = b"".join([chunk async for chunk in response.body_iterator])
            timings.append((time.perf_counter() - started) * 1000)
            from starlette.responses import Response

            return Response(body, response.status_code, dict(response.headers))
        return response

    with database.transaction() as session:
        user = create_user(session, role=Role.NURSE, name="Bench Nurse")
        token = issue_token(session, user, days=1)
    headers = {"Authorization": f"Bearer {token}"}
    files = sorted(EXAMPLES.glob("*.yaml"))
    heaviest = ("", "")
    with TestClient(app) as client:
        for round_number in range(args.rounds + 1):
            if round_number == 1:
                timings.clear()  # the first round warms up (imports, templates, knowledge)
            for path in files:
                page = client.post(
                    "/assess",
                    headers=headers,
                    files={"case": (path.name, path.read_bytes())},
                    data={"mode": "file"},
                )
                if page.status_code != 200:
                    print(f"{path.name}: HTTP {page.status_code}", file=sys.stderr)
                    return 1
                if len(page.content) > len(heaviest[1]):
                    heaviest = (path.name, page.text)
        assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', heaviest[1])))
        asset_bytes = sum(len(client.get(asset).content) for asset in assets)
    html_bytes = len(heaviest[1].encode("utf-8"))
    report = {
        "examples": len(files),
        "requests": len(timings),
        "server_ms": {
            "p50": round(statistics.median(timings), 1),
            "p95": round(_percentile(timings, 0.95), 1),
            "max": round(max(timings), 1),
        },
        "heaviest_page": {
            "example": heaviest[0],
            "html_kb": round(html_bytes / 1000, 1),
            "assets": assets,
            "with_assets_kb": round((html_bytes + asset_bytes) / 1000, 1),
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
