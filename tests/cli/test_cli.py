"""The command line as a user meets it: exit codes, JSON contracts, messages that name the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.runner import run
from tests.factories import case_data, lab

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_case(tmp_path: Path, **overrides) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case_data(**overrides)))
    return path


class TestAssess:
    def test_json_follows_the_design_contract(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys, monkeypatch, "assess", str(EXAMPLES / "mm-newly-diagnosed.yaml"), "--json"
        )
        assert code == 0
        result = json.loads(out)
        for key in (
            "dose",
            "renal",
            "findings",
            "monitoring",
            "ready_to_prescribe",
            "scores",
            "response",
        ):
            assert key in result
        assert set(result["dose"]) >= {
            "action",
            "dose_mg",
            "frequency",
            "days_on",
            "cycle_days",
            "after_dialysis",
            "resume",
        }
        assert result["dose"]["action"] == "start"
        assert result["dose"]["dose_mg"] == 25
        assert result["dose"]["days_on"] == [1, 21]
        assert result["dose"]["cycle_days"] == 28
        assert result["renal"]["weight_policy"] == "actual"
        assert result["renal"]["band"] == "normal"
        for finding in result["findings"]:
            assert set(finding) >= {
                "id",
                "category",
                "severity",
                "summary",
                "detail",
                "status",
                "citations",
            }
            assert finding["citations"], finding["id"]
        assert set(result["response"]) == {"imwg", "immunoglobulins", "mds"}

    def test_default_report_is_the_first_screen(self, capsys, monkeypatch):
        code, out, _ = run(capsys, monkeypatch, "assess", str(EXAMPLES / "mm-newly-diagnosed.yaml"))
        assert code == 0
        for heading in ("READY TO PRESCRIBE", "DOSE", "NEXT 4 WEEKS"):
            assert heading in out
        assert "Renal function" not in out  # the full sections are behind --full

    def test_full_report_shows_each_section(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys, monkeypatch, "assess", str(EXAMPLES / "mm-newly-diagnosed.yaml"), "--full"
        )
        assert code == 0
        for heading in (
            "lenaguard assessment",
            "Dose",
            "Renal function",
            "Next 4 weeks",
            "Thrombosis",
        ):
            assert heading in out

    def test_invalid_case_exits_2_and_names_the_field(self, capsys, monkeypatch, tmp_path):
        path = write_case(tmp_path, patient={"weight_kg": -3})
        code, out, err = run(capsys, monkeypatch, "assess", str(path))
        assert code == 2
        assert "patient.weight_kg" in err
        assert out == ""
        assert "Traceback" not in err

    def test_missing_file_exits_2(self, capsys, monkeypatch, tmp_path):
        code, _, err = run(capsys, monkeypatch, "assess", str(tmp_path / "nope.yaml"))
        assert code == 2
        assert "cannot read" in err

    def test_as_of_option_fills_a_missing_date(self, capsys, monkeypatch, tmp_path):
        data = case_data(labs=[lab("creatinine", 1.0, "mg/dL", date="2026-01-01")])
        del data["as_of"]
        path = tmp_path / "case.yaml"
        path.write_text(yaml.safe_dump(data))
        code, out, _ = run(
            capsys, monkeypatch, "assess", str(path), "--json", "--as-of", "2026-02-01"
        )
        assert code == 0
        assert json.loads(out)["as_of"] == "2026-02-01"

    def test_bad_as_of_option(self, capsys, monkeypatch):
        code, _, err = run(
            capsys,
            monkeypatch,
            "assess",
            str(EXAMPLES / "mm-newly-diagnosed.yaml"),
            "--as-of",
            "soon",
        )
        assert code == 2
        assert "--as-of" in err

    def test_verified_only_leaves_out_unverified_rules_and_says_so(
        self, capsys, monkeypatch, tmp_path
    ):
        # MCL dose modification is unverified in the facts reference.
        path = write_case(
            tmp_path,
            indication="mcl",
            therapy={"events": [{"date": "2026-11-02", "event": "start", "dose_mg": 25}]},
            labs=[
                lab("creatinine", 1.0, "mg/dL"),
                lab("anc", 2000, "/uL"),
                lab("platelets", 40000, "/uL"),
            ],
        )
        code, out, _ = run(capsys, monkeypatch, "assess", str(path), "--json", "--verified-only")
        assert code == 0
        result = json.loads(out)
        assert result["verified_only"] is True
        assert all(
            f["status"] != "unverified" or f["id"] in result["blocking"] for f in result["findings"]
        )
        assert all(m["status"] != "unverified" for m in result["monitoring"])
        # A hold is kept whatever its status: leaving it out would let the drug be given.
        assert result["dose"]["action"] == "hold"
        assert result["readiness"] == "not_ready"

    def test_verified_only_without_a_dose_is_not_determined_never_ready(
        self, capsys, monkeypatch, tmp_path
    ):
        path = write_case(
            tmp_path,
            indication="mcl",
            therapy={"events": [{"date": "2026-11-02", "event": "start", "dose_mg": 25}]},
            labs=[
                lab("creatinine", 1.0, "mg/dL"),
                lab("anc", 2000, "/uL"),
                lab("platelets", 200000, "/uL"),
            ],
        )
        code, out, _ = run(capsys, monkeypatch, "assess", str(path), "--json")
        full = json.loads(out)
        assert full["dose"]["action"] == "continue" and full["dose"]["status"] == "unverified"
        code, out, _ = run(capsys, monkeypatch, "assess", str(path), "--json", "--verified-only")
        result = json.loads(out)
        assert result["dose"] is None
        assert any(item["kind"] == "dose" for item in result["omitted"])
        assert result["readiness"] == "not_determined"
        assert result["ready_to_prescribe"] is False


class TestCalculators:
    def test_crcl_json(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys,
            monkeypatch,
            "crcl",
            "--sex",
            "female",
            "--age",
            "68",
            "--weight-kg",
            "70",
            "--creatinine",
            "1.1",
            "--json",
        )
        assert code == 0
        result = json.loads(out)
        expected = (140 - 68) * 70 / (72 * 1.1) * 0.85
        assert result["crcl_ml_min"] == pytest.approx(expected, abs=0.05)
        assert result["weight_kg_used"] == pytest.approx(70)
        assert result["weight_policy"] == "actual"

    def test_crcl_in_micromol_per_litre(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys,
            monkeypatch,
            "crcl",
            "--sex",
            "male",
            "--age",
            "60",
            "--weight-kg",
            "80",
            "--creatinine",
            "88.4",
            "--creatinine-unit",
            "umol/L",
            "--json",
        )
        assert code == 0
        assert json.loads(out)["crcl_ml_min"] == pytest.approx((140 - 60) * 80 / 72, abs=0.05)

    def test_crcl_ideal_weight_needs_height(self, capsys, monkeypatch):
        code, _, err = run(
            capsys,
            monkeypatch,
            "crcl",
            "--sex",
            "male",
            "--age",
            "60",
            "--weight-kg",
            "80",
            "--creatinine",
            "1",
            "--weight-policy",
            "ideal",
        )
        assert code == 2
        assert "height" in err

    @pytest.mark.parametrize("option", ["--weight-kg", "--creatinine"])
    def test_crcl_refuses_non_positive_values(self, capsys, monkeypatch, option):
        args = {"--weight-kg": "80", "--creatinine": "1"}
        args[option] = "0"
        flat = [item for pair in args.items() for item in pair]
        code, _, err = run(capsys, monkeypatch, "crcl", "--sex", "male", "--age", "60", *flat)
        assert code == 2
        assert option in err

    def test_crcl_refuses_a_minor(self, capsys, monkeypatch):
        code, _, err = run(
            capsys,
            monkeypatch,
            "crcl",
            "--sex",
            "male",
            "--age",
            "16",
            "--weight-kg",
            "60",
            "--creatinine",
            "1",
        )
        assert code == 2
        assert "--age" in err

    def test_crcl_unknown_sex_is_a_usage_error(self, capsys, monkeypatch):
        code, _, err = run(
            capsys,
            monkeypatch,
            "crcl",
            "--sex",
            "x",
            "--age",
            "60",
            "--weight-kg",
            "60",
            "--creatinine",
            "1",
        )
        assert code == 2
        assert "Traceback" not in err

    def test_dose_calculator_moderate_band(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys, monkeypatch, "dose", "--indication", "mm_combination", "--crcl", "45", "--json"
        )
        assert code == 0
        result = json.loads(out)
        assert result["band"] == "moderate"
        assert result["dose_mg"] == 10
        assert result["frequency"] == "daily"

    def test_dose_calculator_dialysis(self, capsys, monkeypatch):
        code, out, _ = run(
            capsys, monkeypatch, "dose", "--indication", "fl", "--dialysis", "--json"
        )
        assert code == 0
        result = json.loads(out)
        assert (result["band"], result["dose_mg"], result["after_dialysis"]) == (
            "dialysis",
            5,
            True,
        )

    def test_dose_calculator_needs_crcl(self, capsys, monkeypatch):
        code, _, err = run(capsys, monkeypatch, "dose", "--indication", "fl")
        assert code == 2
        assert "--crcl" in err


class TestKnowledgeAndSchema:
    def test_schema_is_the_case_model(self, capsys, monkeypatch):
        code, out, _ = run(capsys, monkeypatch, "schema")
        assert code == 0
        schema = json.loads(out)
        assert schema["title"] == "Case"
        assert {"as_of", "indication", "patient", "labs"} <= set(schema["properties"])
        assert schema["additionalProperties"] is False

    def test_schema_of_the_assessment(self, capsys, monkeypatch):
        code, out, _ = run(capsys, monkeypatch, "schema", "--assessment")
        assert code == 0
        schema = json.loads(out)
        assert schema["title"] == "Assessment"
        assert {"lenaguard_version", "knowledge_version", "dose", "hbv", "scores"} <= set(
            schema["properties"]
        )

    def test_knowledge_check_counts_statuses(self, capsys, monkeypatch):
        code, out, _ = run(capsys, monkeypatch, "knowledge", "check")
        assert code == 0
        for status in ("label", "label-old", "secondary", "unverified"):
            assert status in out

    def test_knowledge_show_topic(self, capsys, monkeypatch):
        code, out, _ = run(capsys, monkeypatch, "knowledge", "show", "indications")
        assert code == 0
        assert "mm_combination" in out
        assert "USPI" in out

    def test_knowledge_show_unknown_topic_lists_the_allowed(self, capsys, monkeypatch):
        code, _, err = run(capsys, monkeypatch, "knowledge", "show", "astrology")
        assert code == 2
        assert "indications" in err


def test_every_finding_category_has_a_report_section():
    from lenaguard.cli.report import FINDING_SECTIONS
    from lenaguard.vocab import Category

    covered = {category for _, categories in FINDING_SECTIONS for category in categories}
    assert covered == set(Category)


def test_dose_calculator_warns_below_the_studied_range(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "dose", "--indication", "mm_combination", "--crcl", "5")
    assert code == 0
    assert "[warning]" in out
    assert "not studied" in out
