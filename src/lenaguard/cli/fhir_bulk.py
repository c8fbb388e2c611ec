"""`lenaguard assess --fhir-ndjson DIR`: a FHIR Bulk Data export → one source per patient on
lenalidomide, streamed with bounded memory.

An export is a folder of NDJSON files, one per resource type (`Patient.ndjson`,
`Observation.000.ndjson`, …), each line one resource. It is read three times, never whole:

1. Medication files: the Medication resources (a formulary: small), kept by id;
2. MedicationRequest/MedicationStatement lines: the ids of the patients on lenalidomide;
3. every line: the lines of those patients are written, tagged with the patient id, to shard
   files on disk (a patient's lines all go to one shard, chosen by a hash of the id).

Each shard is then read alone, grouped by patient, and each patient becomes a collection
Bundle (text, for a worker process to map and assess). Memory holds the Medication resources,
the patient ids and one shard — never the export. A line that is not JSON becomes a source
with an error, so nothing is dropped silently.
"""

from __future__ import annotations

import json
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lenaguard.cli.sources import Source
from lenaguard.errors import InputError
from lenaguard.interop.fhir.bulk import (
    is_lenalidomide_use,
    medication_reference,
    patient_of,
)
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.drugs import DrugCatalogue

SHARD_BYTES = 32_000_000
"""Largest share of the export one shard may hold (the export's size ÷ this = shards)."""
SUFFIXES = (".ndjson", ".jsonl")


def export_files(directory: Path) -> list[Path]:
    """The NDJSON files of an export folder, sorted; an error when there are none."""
    if not directory.is_dir():
        raise InputError([("--fhir-ndjson", f"{directory} is not a folder")])
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
    if not files:
        raise InputError([("--fhir-ndjson", f"no NDJSON files (*.ndjson) in {directory}")])
    return files


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            line = line.strip()
            if line:
                yield number, line


def _first_type(path: Path) -> str | None:
    for _, line in _lines(path):
        try:
            found = json.loads(line).get("resourceType")
        except (ValueError, AttributeError):
            return None
        return found if isinstance(found, str) else None
    return None


def patient_sources(directory: Path) -> Iterator[Source]:
    """One Source per patient on lenalidomide (a collection Bundle's text), then one per
    unreadable line."""
    files = export_files(directory)
    kinds = {path: _first_type(path) for path in files}
    catalogue = default_knowledge().get(DrugCatalogue)
    medications: dict[str, dict[str, Any]] = {}
    medication_lines: dict[str, str] = {}
    for path in files:
        if kinds[path] == "Medication":
            for _, line in _lines(path):
                try:
                    resource = json.loads(line)
                except ValueError:
                    continue  # reported in the third pass
                if isinstance(resource, dict) and isinstance(resource.get("id"), str):
                    medications[resource["id"]] = resource
                    medication_lines[resource["id"]] = line
    on_lenalidomide: set[str] = set()
    for path in files:
        if kinds[path] not in ("MedicationRequest", "MedicationStatement"):
            continue
        for _, line in _lines(path):
            try:
                resource = json.loads(line)
            except ValueError:
                continue
            if isinstance(resource, dict) and is_lenalidomide_use(resource, catalogue, medications):
                patient = patient_of(resource)
                if patient is not None:
                    on_lenalidomide.add(patient)
    total = sum(path.stat().st_size for path in files)
    shards = max(1, -(-total // SHARD_BYTES))
    problems: list[Source] = []
    with tempfile.TemporaryDirectory(prefix="lenaguard-bulk-") as scratch:
        paths = [Path(scratch) / f"shard-{index}.tsv" for index in range(shards)]
        outputs = [path.open("w", encoding="utf-8") for path in paths]
        try:
            for path in files:
                if kinds[path] == "Medication":
                    continue
                for number, line in _lines(path):
                    try:
                        resource = json.loads(line)
                    except ValueError:
                        problems.append(
                            Source(f"{path.name}:{number}", problem="this line is not JSON")
                        )
                        continue
                    patient = patient_of(resource) if isinstance(resource, dict) else None
                    if patient is None or patient not in on_lenalidomide:
                        continue
                    shard = outputs[zlib.crc32(patient.encode()) % shards]
                    shard.write(f"{json.dumps(patient)}\t{line}\n")
                    medication = medication_reference(resource)
                    if medication in medication_lines:
                        shard.write(f"{json.dumps(patient)}\t{medication_lines[medication]}\n")
        finally:
            for output in outputs:
                output.close()
        for path in paths:
            yield from _patients(path)
    yield from problems


def _patients(shard: Path) -> Iterator[Source]:
    groups: dict[str, dict[str, None]] = {}
    with shard.open(encoding="utf-8") as stream:
        for row in stream:
            key, line = row.rstrip("\n").split("\t", 1)
            groups.setdefault(json.loads(key), {})[line] = None  # a shared Medication once
    for patient in sorted(groups):
        entries = ",".join('{"resource":' + line + "}" for line in groups[patient])
        text = '{"resourceType":"Bundle","type":"collection","entry":[' + entries + "]}"
        yield Source(f"Patient/{patient}", text=text)
