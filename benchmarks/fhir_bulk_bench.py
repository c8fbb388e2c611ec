"""Benchmark: `lenaguard assess --fhir-ndjson DIR` over a generated FHIR Bulk Data export.

Run:  python benchmarks/fhir_bulk_bench.py [--patients N] [--share-on 0.5] [--keep DIR]

Writes an export of N patients (one NDJSON file per resource type: Patient, Condition,
Observation, MedicationRequest, Medication, Encounter) in which a share of the patients is on
lenalidomide, runs the installed command on it as a subprocess, checks that it printed one
JSON line per patient on lenalidomide, and reports the wall time, patients assessed per
second, the export's size, and the peak memory of the largest process (the command or one of
its workers), which stays flat as N grows when the export is streamed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from cli_bench import lenaguard_command  # noqa: E402

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LABS = [  # LOINC, UCUM unit, typical value
    ("2160-0", "mg/dL", 1.0),
    ("751-8", "10*3/uL", 3.0),
    ("777-3", "10*3/uL", 200.0),
    ("29463-7", "kg", 75.0),
    ("8302-2", "cm", 170.0),
    ("718-7", "g/dL", 12.0),
]
PRODUCTS = ["643720", "1428947", "602910", "602912"]  # 25, 20, 10, 5 mg capsules


def _ref(pid: str) -> dict:
    return {"reference": f"Patient/{pid}"}


def write_export(directory: Path, patients: int, share_on: float, seed: int = 7) -> int:
    """Write the export; return how many patients are on lenalidomide."""
    rng = random.Random(seed)
    files = {
        kind: (directory / f"{kind}.ndjson").open("w")
        for kind in ("Patient", "Condition", "Observation", "MedicationRequest", "Encounter")
    }
    (directory / "Medication.ndjson").write_text(
        json.dumps(
            {
                "resourceType": "Medication",
                "id": "len10",
                "code": {"coding": [{"system": RXNORM, "code": "602910"}]},
            }
        )
        + "\n"
    )
    on = 0
    try:
        for index in range(patients):
            pid = f"pt{index:06d}"
            sex = rng.choice(["female", "male"])
            year = rng.randint(1935, 1975)
            write = lambda kind, resource: files[kind].write(json.dumps(resource) + "\n")  # noqa: E731
            write(
                "Patient",
                {
                    "resourceType": "Patient",
                    "id": pid,
                    "gender": sex,
                    "birthDate": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                },
            )
            write(
                "Condition",
                {
                    "resourceType": "Condition",
                    "subject": _ref(pid),
                    "code": {"coding": [{"system": ICD10CM, "code": "C90.00"}]},
                    "clinicalStatus": {"coding": [{"code": "active"}]},
                },
            )
            for day in ("2026-11-02", "2026-11-23"):
                for code, unit, typical in LABS:
                    write(
                        "Observation",
                        {
                            "resourceType": "Observation",
                            "status": "final",
                            "subject": _ref(pid),
                            "effectiveDateTime": day,
                            "code": {"coding": [{"system": LOINC, "code": code}]},
                            "valueQuantity": {
                                "value": round(typical * rng.uniform(0.8, 1.2), 2),
                                "system": UCUM,
                                "code": unit,
                            },
                        },
                    )
            for _ in range(5):
                write(
                    "Encounter",
                    {
                        "resourceType": "Encounter",
                        "status": "finished",
                        "class": {"code": "AMB"},
                        "subject": _ref(pid),
                    },
                )
            if rng.random() < share_on:
                on += 1
                order = {
                    "resourceType": "MedicationRequest",
                    "status": "active",
                    "intent": "order",
                    "subject": _ref(pid),
                    "authoredOn": "2026-10-05",
                }
                if index % 10 == 0:
                    order["medicationReference"] = {"reference": "Medication/len10"}
                    order["dosageInstruction"] = [
                        {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{pill}"}}]}
                    ]
                else:
                    order["medicationCodeableConcept"] = {
                        "coding": [{"system": RXNORM, "code": rng.choice(PRODUCTS)}]
                    }
                    order["dosageInstruction"] = [
                        {"doseAndRate": [{"doseQuantity": {"value": 25, "code": "mg"}}]}
                    ]
                write("MedicationRequest", order)
            else:
                write(
                    "MedicationRequest",
                    {
                        "resourceType": "MedicationRequest",
                        "status": "active",
                        "intent": "order",
                        "subject": _ref(pid),
                        "authoredOn": "2026-10-05",
                        "medicationCodeableConcept": {
                            "coding": [{"system": RXNORM, "code": "1191"}]
                        },
                    },
                )
    finally:
        for stream in files.values():
            stream.close()
    return on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--share-on", type=float, default=1.0, help="share on lenalidomide")
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        on = write_export(directory, args.patients, args.share_on)
        size = sum(p.stat().st_size for p in directory.glob("*.ndjson"))
        command = [
            *lenaguard_command(),
            "assess",
            "--fhir-ndjson",
            str(directory),
            "--as-of",
            "2026-11-30",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [line for line in lines if "error" in line]
    assert done.returncode in (0, 4), done.stderr[-2000:]
    assert len(lines) == on and not errors, (len(lines), on, errors[:2])
    print(
        json.dumps(
            {
                "patients": args.patients,
                "on_lenalidomide": on,
                "export_mb": round(size / 1e6, 1),
                "wall_s": round(wall, 2),
                "patients_per_s": round(on / wall, 1),
                "peak_rss_mb": round(peak_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
