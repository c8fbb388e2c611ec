"""The official FHIR R4 example resources (npm package `hl7.fhir.r4.examples`) of every type
the mapping reads load: each validates as R4 and maps to a case, or is refused with an error
naming the FHIR field (a Patient with no gender or no full birth date).

The package (18 MB) is fetched once with `npm pack` into a cache folder
(`$LENAGUARD_TEST_CACHE`, default `~/.cache/lenaguard-tests`) and read from its tarball. Without
npm the test is skipped with the install command — except under CI (`CI` set), where it must run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from lenaguard.errors import CaseError
from lenaguard.interop.fhir import case_from_fhir
from lenaguard.interop.fhir.read import READ_TYPES
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import Indication, LabTest
from tests.interop.fhir_factories import bundle, patient

PACKAGE = "hl7.fhir.r4.examples"
VERSION = "4.0.1"
INSTALL = "install Node.js and npm (e.g. `apt-get install nodejs npm`) to run this test"
KB = default_knowledge()

AT_LEAST = {
    "Patient": 15,
    "Observation": 50,
    "MedicationRequest": 30,
    "MedicationStatement": 5,
    "Medication": 20,
    "Condition": 10,
    "Procedure": 10,
}
"""Examples of each type in the 4.0.1 package (so the test cannot pass on an empty read)."""


def _cache() -> Path:
    configured = os.environ.get("LENAGUARD_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "lenaguard-tests"


@pytest.fixture(scope="module")
def examples() -> Path:
    tarball = _cache() / f"{PACKAGE}-{VERSION}.tgz"
    if tarball.is_file():
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail(f"npm is needed under CI for the FHIR R4 examples: {INSTALL}")
        pytest.skip(f"npm not found: {INSTALL}")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(tarball.parent)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert tarball.is_file(), f"npm pack did not write {tarball}"
    return tarball


def _resources(tarball: Path):
    with tarfile.open(tarball) as archive:
        for member in archive:
            name = member.name.rsplit("/", 1)[-1]
            if not member.isfile() or name.split("-", 1)[0] not in READ_TYPES:
                continue
            stream = archive.extractfile(member)
            assert stream is not None
            data = json.load(stream)
            if data.get("resourceType") in READ_TYPES:
                yield name, data


def _as_own(resource: dict) -> dict:
    """An example with its patient reference pointed at the test's Patient."""
    found = dict(resource)
    for field in ("subject", "patient"):
        if field in found:
            found[field] = {"reference": "Patient/p1"}
    return found


def test_the_official_examples_of_the_mapped_types_load(examples):
    seen: Counter[str] = Counter()
    labs: Counter[str] = Counter()
    refused = []
    for name, resource in _resources(examples):
        kind = resource["resourceType"]
        seen[kind] += 1
        resources = [resource] if kind == "Patient" else [patient(), _as_own(resource)]
        try:
            result = case_from_fhir(
                bundle(*resources),
                today=dt.date(2026, 11, 30),
                kb=KB,
                indication=Indication.MM_COMBINATION,
                source=name,
            )
        except CaseError as exc:
            refused.append((name, [problem.field for problem in exc.problems]))
            continue
        labs.update(lab.lab_test.value for lab in result.case.labs)
    for kind, least in AT_LEAST.items():
        assert seen[kind] >= least, (kind, seen)
    # the only refusals: Patients without a full birth date or a female/male gender
    assert refused, "the package has such Patients: were they read?"
    for name, fields in refused:
        assert name.startswith("Patient-"), (name, fields)
        assert fields[0] in ("entry.0.resource.gender", "entry.0.resource.birthDate")
    assert labs[LabTest.WEIGHT.value] >= 1  # Observation-example: a body weight in [lb_av]
