"""`lenaguard assess BUNDLE.json`, `--fhir-ndjson DIR` (a Bulk Data export) and the mapping
table command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lenaguard.cli import fhir_bulk
from lenaguard.interop.fhir.bulk import is_lenalidomide_use, patient_of
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from tests.cli.runner import run
from tests.interop.fhir_factories import (
    SYNTHEA,
    bundle,
    coded,
    myeloma,
    observation,
    order,
    patient,
)

CATALOGUE = default_knowledge().get(DrugCatalogue)


def _write(path: Path, data) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_a_bundle_file_is_assessed_with_its_notes(capsys, monkeypatch, tmp_path):
    source = _write(
        tmp_path / "p1.json",
        bundle(patient(), myeloma(), observation("751-8", value=45, ucum="%")),
    )
    code, out, err = run(capsys, monkeypatch, "assess", source, "--json", "--as-of", "2026-11-30")
    assert code in (0, 4), err
    data = json.loads(out)
    assert data["indication"] == "mm_combination" and data["patient_id"] == "p1"
    found = {f["id"] for f in data["findings"]}
    assert {"input.fhir_unknown_unit_anc", "input.fhir_indication_inferred"} <= found


def test_a_bundle_without_an_indication_exits_2_naming_it(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "assess", str(SYNTHEA[0]), "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["errors"][0]["field"] == "indication"
    code, out, err = run(
        capsys, monkeypatch, "assess", str(SYNTHEA[0]), "--json", "--indication", "fl"
    )
    assert code in (0, 4) and json.loads(out)["indication"] == "fl"


def test_a_report_is_drawn_for_a_bundle(capsys, monkeypatch, tmp_path):
    source = _write(tmp_path / "p1.json", bundle(patient(), myeloma()))
    code, out, err = run(capsys, monkeypatch, "assess", source, "--plain", "--no-pager")
    assert code in (0, 4), err
    assert "p1" in out


def test_case_files_and_bundles_mix_in_one_run(capsys, monkeypatch, tmp_path):
    example = Path(__file__).resolve().parents[2] / "examples" / "mm-newly-diagnosed.yaml"
    source = _write(tmp_path / "p1.json", bundle(patient(), myeloma()))
    code, out, _ = run(capsys, monkeypatch, "assess", str(example), source, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["source"] for line in lines] == [str(example), source]
    assert all("assessment" in line for line in lines)


# --- Bulk Data ---------------------------------------------------------------------------


def _export(directory: Path, patients: int = 5) -> list[str]:
    """An export of `patients` patients; the even ones are on lenalidomide (the last through a
    Medication reference). Returns the ids of those on lenalidomide."""
    directory.mkdir(exist_ok=True)
    on: list[str] = []
    lines: dict[str, list[dict]] = {
        "Patient": [],
        "Observation": [],
        "Condition": [],
        "MedicationRequest": [],
        "Medication": [
            {
                "resourceType": "Medication",
                "id": "len5",
                "code": coded("http://www.nlm.nih.gov/research/umls/rxnorm", "602912"),
            }
        ],
    }
    for index in range(patients):
        pid = f"pt{index:03d}"
        lines["Patient"].append(patient(pid))
        lines["Condition"].append(myeloma(pid))
        lines["Observation"].append(observation("2160-0", value=1.0, ucum="mg/dL", pid=pid))
        if index % 2 == 0:
            request = order("643720", authored="2026-10-01", pid=pid)
            if index == patients - 1:
                del request["medicationCodeableConcept"]
                request["medicationReference"] = {"reference": "Medication/len5"}
                request["dosageInstruction"] = [
                    {"doseAndRate": [{"doseQuantity": {"value": 1, "code": "{pill}"}}]}
                ]
            lines["MedicationRequest"].append(request)
            on.append(pid)
        else:
            lines["MedicationRequest"].append(
                order("1191", authored="2026-10-01", dose=81, pid=pid)
            )
    for kind, resources in lines.items():
        text = "\n".join(json.dumps(r) for r in resources) + "\n"
        (directory / f"{kind}.ndjson").write_text(text)
    return on


def test_bulk_export_prints_one_line_per_patient_on_lenalidomide(capsys, monkeypatch, tmp_path):
    on = _export(tmp_path / "export")
    code, out, err = run(
        capsys,
        monkeypatch,
        "assess",
        "--fhir-ndjson",
        str(tmp_path / "export"),
        "--as-of",
        "2026-11-30",
    )
    assert code in (0, 4), err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["source"] for line in lines] == [f"Patient/{pid}" for pid in on]
    assert [line["assessment"]["patient_id"] for line in lines] == on
    assert {line["assessment"]["course_status"] for line in lines} == {"active"}
    last = lines[-1]["assessment"]  # through the Medication reference: 1 capsule of 5 mg
    timeline = next(f for f in last["findings"] if f["id"] == "input.fhir_timeline_unconfirmed")
    assert timeline["inputs"] == {"start": "2026-10-01", "orders": 1}


def test_bulk_grouping_is_the_same_over_many_shards(monkeypatch, tmp_path):
    _export(tmp_path / "export", patients=9)
    one = [(s.name, s.text) for s in fhir_bulk.patient_sources(tmp_path / "export")]
    monkeypatch.setattr(fhir_bulk, "SHARD_BYTES", 200)  # many shards
    many = [(s.name, s.text) for s in fhir_bulk.patient_sources(tmp_path / "export")]
    assert sorted(one) == sorted(many) and len(one) == 5
    text = dict(one)["Patient/pt008"]
    assert text.count('"resourceType": "Medication"') == 1  # the referenced Medication, once
    assert text.count('"resourceType": "Observation"') == 1


def test_a_line_that_is_not_json_is_reported_not_dropped(capsys, monkeypatch, tmp_path):
    _export(tmp_path / "export", patients=1)
    with (tmp_path / "export" / "Observation.ndjson").open("a") as stream:
        stream.write("{not json\n")
    code, out, _ = run(capsys, monkeypatch, "assess", "--fhir-ndjson", str(tmp_path / "export"))
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["source"] == "Observation.ndjson:2" and "error" in lines[-1]
    assert code == 2


def test_an_empty_or_missing_export_folder_is_an_input_error(capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, monkeypatch, "assess", "--fhir-ndjson", str(tmp_path))
    assert code == 2 and "no NDJSON files" in err
    code, _, err = run(capsys, monkeypatch, "assess", "--fhir-ndjson", str(tmp_path / "nope"))
    assert code == 2 and "not a folder" in err


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (patient("a"), "a"),
        (observation("2160-0", pid="b"), "b"),
        ({"resourceType": "Observation", "subject": {"reference": "urn:uuid:c"}}, "c"),
        ({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/d"}}, "d"),
        ({"resourceType": "Observation", "subject": {"reference": "Patient?identifier=x"}}, None),
        ({"resourceType": "Organization", "id": "o"}, None),
    ],
)
def test_the_patient_of_a_bulk_line(resource, expected):
    assert patient_of(resource) == expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (order("643720"), True),
        (order("643720", status="draft"), True),
        (order("643720", status="stopped"), False),
        (order("643720", status="entered-in-error"), False),
        (order("1191"), False),
        (order("999", display="Revlimid 10 mg capsule"), True),
    ],
)
def test_who_is_on_lenalidomide(resource, expected):
    assert is_lenalidomide_use(resource, CATALOGUE, {}) is expected
