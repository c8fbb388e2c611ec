"""Authorization and dispense latency of the web service, on PostgreSQL (or SQLite).

Run:  python benchmarks/service_bench.py [--database-url URL | --sqlite] [--rate 300]
                                         [--seconds 10] [--connections 50] [--workers 2]

What it does, on this machine (server and load generator share its cores):
1. Makes a fresh database (on the PostgreSQL server named by --database-url, default
   LENAGUARD_TEST_POSTGRES_URL; dropped at the end), and seeds a certified clinic and enough
   adult male patients (the most common REMS category; no pregnancy tests) with everything an
   authorization needs: agreement, counselling, surveys, insurance, a stored case.
2. Starts `lenaguard serve --workers N` as a real process.
3. Open loop at a constant arrival rate (`--rate` requests/s for `--seconds`, at most
   `--connections` connections): POST /api/v1/authorizations, one per patient; then the
   pharmacy confirms each (not measured) and POST /api/v1/dispenses runs at the same rate.
   Latency counts from the moment a request was due (no coordinated omission).
4. Closed loop with `--connections` clients on fresh patients: the maximum throughput of each.
Prints one JSON document with p50/p95/p99/max per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import closed_loop, open_loop  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from lenaguard.rules.safety.rems import RemsRiskCategory  # noqa: E402
from lenaguard.store import Database, upgrade  # noqa: E402
from tests.service import builders  # noqa: E402
from tests.service.server import ServerProcess  # noqa: E402

ZONE = "America/New_York"


class _Seeded:
    def __init__(self, database: Database):
        self.database = database


def _fresh_postgres(server_url: str) -> tuple[str, callable]:
    name = f"lenaguard_bench_{secrets.token_hex(3)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _seed(database: Database, patients: int):
    holder = _Seeded(database)
    clinic = builders.clinic(holder)
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ids = []
    for _ in range(patients):
        patient = builders.ready_patient(
            holder, clinic, RemsRiskCategory.ADULT_MALE, today=today, when=when
        )
        ids.append(patient.id)
    return clinic, ids


def _authorization(patient_id: str, headers: dict) -> tuple[str, str, dict]:
    body = {
        "patient_id": patient_id,
        "indication": "mm_combination",
        "dose_mg": 25,
        "days_supply": 28,
    }
    return ("POST", "/api/v1/authorizations", {"json": body, "headers": headers})


async def _confirm_all(url: str, numbers: list[str], headers: dict) -> list[dict]:
    confirmations: list[dict] = []
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for start in range(0, len(numbers), 20):
            batch = numbers[start : start + 20]
            answers = await asyncio.gather(
                *(
                    client.post(f"/api/v1/authorizations/{n}/confirmations", headers=headers)
                    for n in batch
                )
            )
            confirmations += [a.json() for a in answers if a.status_code == 201]
    return confirmations


def _dispense(confirmation: dict, headers: dict) -> tuple[str, str, dict]:
    body = {
        "confirmation_number": confirmation["number"],
        "capsule_strength_mg": confirmation["capsule_strength_mg"],
        "quantity": confirmation["quantity"],
        "days_supply": confirmation["days_supply"],
    }
    return ("POST", "/api/v1/dispenses", {"json": body, "headers": headers})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("LENAGUARD_TEST_POSTGRES_URL"))
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--closed-seconds", type=float, default=8)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="lenaguard-bench-"))
    drop = None
    if args.sqlite or not args.database_url:
        url = f"sqlite:///{home / 'bench.sqlite3'}"
    else:
        url, drop = _fresh_postgres(args.database_url)
    database = Database(url)
    upgrade(database)
    open_n = int(args.rate * args.seconds)
    closed_n = int(args.rate * args.closed_seconds)  # more than 50 clients can use meanwhile
    started = time.perf_counter()
    clinic, patients = _seed(database, open_n + closed_n)
    seed_s = time.perf_counter() - started
    database.dispose()
    prescriber = clinic.headers["prescriber"]
    pharmacist = clinic.headers["pharmacist"]
    env = {"LENAGUARD_DATABASE_URL": url, "LENAGUARD_HOME": str(home), "LENAGUARD_TIMEZONE": ZONE}
    server = ServerProcess(env, workers=args.workers, log=home / "server.log")
    report: dict = {
        "database": make_url(url).get_backend_name(),
        "workers": args.workers,
        "rate_per_s": args.rate,
        "connections": args.connections,
        "seeded_patients": len(patients),
        "seed_seconds": round(seed_s, 1),
    }
    try:
        open_patients, closed_patients = patients[:open_n], patients[open_n:]
        requests = [_authorization(p, prescriber) for p in open_patients]
        result = asyncio.run(
            open_loop(
                server.url,
                requests,
                rate_per_s=args.rate,
                connections=args.connections,
                keep_json=True,
            )
        )
        numbers = [body["number"] for body in result.bodies]
        report["authorization_open_loop"] = result.summary()
        confirmations = asyncio.run(_confirm_all(server.url, numbers, pharmacist))
        dispenses = [_dispense(c, pharmacist) for c in confirmations]
        report["dispense_open_loop"] = asyncio.run(
            open_loop(server.url, dispenses, rate_per_s=args.rate, connections=args.connections)
        ).summary()

        # closed loop: authorizations on fresh patients, then dispenses of those
        queue = iter(_authorization(p, prescriber) for p in closed_patients)
        deadline = time.perf_counter() + args.closed_seconds

        def next_authorization():
            return next(queue, None) if time.perf_counter() < deadline else None

        closed = asyncio.run(closed_loop(server.url, next_authorization, clients=args.connections))
        report["authorization_closed_loop"] = closed.summary()
    finally:
        server.stop()
        if drop is not None:
            drop()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
