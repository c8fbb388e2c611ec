"""CDS Hooks order-sign latency: full prefetch, a signed ES384 JWT per call, a real server.

Run:  python benchmarks/cds_bench.py [--rate 300] [--seconds 10] [--connections 50]
                                     [--workers 2] [--closed-seconds 8] [--database-url URL]

What it does, on this machine (server and load generator share its cores):
1. Writes a trusted-issuers file with a freshly generated ES384 key, and starts
   `lenaguard serve --workers N` on SQLite in a temporary data directory (or --database-url).
2. Builds the authored order-sign request (tests/cds/fixtures) with every prefetch key present
   (the patient's myeloma as a Condition, the other keys null) and its lab dates moved to three
   days before today, so each call is a full assessment with fresh labs and the renal, REMS
   and HBV cards.
3. Signs one JWT per request beforehand (unique `jti`, `aud` = the service URL): signing is the
   EHR's cost, not the service's.
4. Open loop at a constant arrival rate (`--rate` requests/s for `--seconds`, at most
   `--connections` connections; latency from the moment each request was due), then a closed
   loop with `--connections` clients for `--closed-seconds` (the maximum throughput).
Prints one JSON document: p50/p95/p99/max and statuses per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from loadgen import closed_loop, open_loop  # noqa: E402

from tests.service.server import ServerProcess  # noqa: E402

PATH = "/cds-services/lenaguard-order-sign"
ISS = "https://ehr.bench.example"
KID = "bench-es384"
FIXTURE = ROOT / "tests" / "cds" / "fixtures" / "order-sign_lenalidomide_request.json"


def request_body(today: dt.date) -> dict:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    patient = body["context"]["patientId"]
    for entry in body["prefetch"]["labs"]["entry"]:
        entry["resource"]["effectiveDateTime"] = (today - dt.timedelta(days=3)).isoformat()
    body["context"]["draftOrders"]["entry"][0]["resource"]["authoredOn"] = today.isoformat()
    body["prefetch"]["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "mm",
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                "code": "active",
                            }
                        ]
                    },
                    "code": {
                        "coding": [
                            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C90.00"}
                        ]
                    },
                    "subject": {"reference": f"Patient/{patient}"},
                }
            }
        ],
    }
    for key in ("medications", "statements", "procedures"):
        body["prefetch"][key] = None
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--closed-seconds", type=float, default=8)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="lenaguard-cds-bench-"))
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public |= {"kid": KID, "alg": "ES384", "use": "sig"}
    issuers = home / "issuers.json"
    issuers.write_text(json.dumps({"issuers": [{"iss": ISS, "jwks": {"keys": [public]}}]}))
    env = {
        "LENAGUARD_HOME": str(home),
        "LENAGUARD_DATABASE_URL": args.database_url or f"sqlite:///{home / 'bench.sqlite3'}",
        "LENAGUARD_CDS_ISSUERS": str(issuers),
        "LENAGUARD_TIMEZONE": "UTC",
    }
    server = ServerProcess(env, workers=args.workers, log=home / "server.log")
    body = json.dumps(request_body(dt.datetime.now(dt.UTC).date()))
    audience = server.url + PATH
    open_n = int(args.rate * args.seconds)
    closed_n = int(args.rate * args.closed_seconds * 2)
    started = time.perf_counter()
    now = int(time.time())
    # tokens valid for the whole run (exp well past its end; the service checks iat ≤ now)
    tokens = [
        jwt.encode(
            {"iss": ISS, "aud": audience, "iat": now, "exp": now + 900, "jti": str(uuid.uuid4())},
            key,
            algorithm="ES384",
            headers={"kid": KID},
        )
        for _ in range(open_n + closed_n + 1)
    ]
    sign_s = time.perf_counter() - started

    def request(token: str):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return ("POST", PATH, {"content": body, "headers": headers})

    report: dict = {
        "workers": args.workers,
        "rate_per_s": args.rate,
        "connections": args.connections,
        "database": env["LENAGUARD_DATABASE_URL"].split(":", 1)[0],
        "tokens_signed_beforehand_s": round(sign_s, 1),
    }
    try:
        import httpx

        check = httpx.post(server.url + PATH, **request(tokens.pop())[2], timeout=30)
        cards = check.json().get("cards", [])
        report["cards_per_call"] = len(cards)
        report["card_types"] = sorted(c["summary"].split(":")[0] for c in cards)[:3]
        requests = [request(t) for t in tokens[:open_n]]
        report["order_sign_open_loop"] = asyncio.run(
            open_loop(server.url, requests, rate_per_s=args.rate, connections=args.connections)
        ).summary()
        queue = iter(tokens[open_n:])
        deadline = time.perf_counter() + args.closed_seconds

        def next_request():
            token = next(queue, None) if time.perf_counter() < deadline else None
            return None if token is None else request(token)

        report["order_sign_closed_loop"] = asyncio.run(
            closed_loop(server.url, next_request, clients=args.connections)
        ).summary()
    finally:
        server.stop()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
