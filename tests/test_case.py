"""The case file v1: validation that names the field, unit normalisation, loading."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lenaguard.case import Case
from lenaguard.caseio import CaseError, case_from_data, load_case, parse_case_text
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import LabTest
from tests.factories import case_data, lab, make_case

TODAY = dt.date(2026, 11, 20)


def problems_for(**overrides) -> list[tuple[str, str]]:
    with pytest.raises(CaseError) as raised:
        case_from_data(case_data(**overrides), today=TODAY)
    return raised.value.problems


def fields(problems: list[tuple[str, str]]) -> list[str]:
    return [field for field, _ in problems]


class TestRefusals:
    def test_unknown_key_is_an_error_naming_it(self):
        problems = problems_for(patient={"wieght_kg": 70})
        assert fields(problems) == ["patient.wieght_kg"]
        assert "unknown field" in problems[0][1]

    def test_unknown_top_level_key(self):
        assert fields(problems_for(notes="x")) == ["notes"]

    @pytest.mark.parametrize("weight", [-70, 0])
    def test_impossible_weight(self, weight):
        assert fields(problems_for(patient={"weight_kg": weight})) == ["patient.weight_kg"]

    def test_under_18_is_accepted_for_the_rules_to_flag(self):
        # The label is for adults; children are assessed with an off-label warning (rules).
        assert make_case(patient={"age_years": 17}).age_years == 17

    def test_exactly_18_is_accepted(self):
        assert make_case(patient={"age_years": 18}).age_years == 18

    def test_age_from_birth_date_on_the_assessment_date(self):
        data = case_data()
        del data["patient"]["age_years"]
        data["patient"]["birth_date"] = "1958-11-21"
        assert (
            Case.from_data(data, default_knowledge()).age_years == 67
        )  # birthday is the day after as_of

    def test_missing_age_names_the_field(self):
        data = case_data()
        del data["patient"]["age_years"]
        with pytest.raises(CaseError) as raised:
            case_from_data(data, today=TODAY)
        assert fields(raised.value.problems) == ["patient.age_years"]

    def test_creatinine_zero_is_impossible(self):
        problems = problems_for(labs=[lab("creatinine", 0, "mg/dL")])
        assert fields(problems) == ["labs.0.value"]

    def test_unit_not_accepted_names_allowed_units(self):
        problems = problems_for(labs=[lab("creatinine", 1.1, "mmol/L")])
        assert fields(problems) == ["labs.0.unit"]
        assert "mg/dL" in problems[0][1] and "umol/L" in problems[0][1]

    def test_quantitative_lab_without_unit(self):
        assert fields(problems_for(labs=[lab("anc", 1.2)])) == ["labs.0.unit"]

    def test_qualitative_lab_without_result(self):
        problems = problems_for(labs=[lab("pregnancy")])
        assert fields(problems) == ["labs.0.result"]
        assert "negative, positive" in problems[0][1]

    def test_unknown_loinc_code(self):
        problems = problems_for(
            labs=[{"loinc": "0000-0", "value": 1, "unit": "mg/dL", "date": "2026-11-18"}]
        )
        assert fields(problems) == ["labs.0.loinc"]

    def test_unknown_indication_lists_allowed_values(self):
        problems = problems_for(indication="cll")
        assert fields(problems) == ["indication"]
        assert "mm_combination" in problems[0][1]

    def test_dose_that_is_not_a_capsule_strength(self):
        problems = problems_for(
            therapy={"events": [{"date": "2026-09-01", "event": "start", "dose_mg": 7.5}]}
        )
        assert fields(problems) == ["therapy.events.0.dose_mg"]
        assert "2.5, 5, 10, 15, 20, 25" in problems[0][1]

    def test_hold_needs_a_reason(self):
        events = [
            {"date": "2026-09-01", "event": "start", "dose_mg": 25},
            {"date": "2026-09-10", "event": "hold"},
        ]
        assert fields(problems_for(therapy={"events": events})) == ["therapy.events.1.reason"]

    def test_resume_without_a_hold(self):
        events = [
            {"date": "2026-09-01", "event": "start", "dose_mg": 25},
            {"date": "2026-09-10", "event": "resume", "dose_mg": 20},
        ]
        assert fields(problems_for(therapy={"events": events})) == ["therapy.events.1.event"]

    def test_events_out_of_order(self):
        events = [
            {"date": "2026-09-10", "event": "start", "dose_mg": 25},
            {"date": "2026-09-01", "event": "hold", "reason": "neutropenia"},
        ]
        assert fields(problems_for(therapy={"events": events})) == ["therapy.events.1.date"]

    def test_lab_after_the_assessment_date(self):
        problems = problems_for(labs=[lab("anc", 1200, "/uL", date="2026-11-21")])
        assert fields(problems) == ["labs.0.date"]

    def test_male_with_reproductive_history(self):
        assert fields(problems_for(patient={"reproductive": {"hysterectomy": False}})) == [
            "patient.reproductive"
        ]

    def test_every_problem_is_reported_at_once(self):
        problems = problems_for(patient={"weight_kg": -1, "height_cm": -1})
        assert set(fields(problems)) == {"patient.weight_kg", "patient.height_cm"}


class TestUnits:
    @pytest.mark.parametrize(
        ("value", "unit"), [(800, "/uL"), (0.8, "10^3/uL"), (0.8, "10^9/L"), (0.8, "K/uL")]
    )
    def test_counts_are_normalised_to_cells_per_microlitre(self, value, unit):
        case = make_case(labs=[lab("anc", value, unit)])
        assert case.latest(LabTest.ANC).canonical_value == pytest.approx(800)

    def test_creatinine_in_micromol_per_litre(self):
        case = make_case(labs=[lab("creatinine", 97.24, "umol/L")])
        assert case.latest(LabTest.CREATININE).canonical_value == pytest.approx(1.1)

    def test_loinc_code_stands_for_the_test_name(self):
        case = make_case(
            labs=[{"loinc": "777-3", "value": 25, "unit": "10^3/uL", "date": "2026-11-18"}]
        )
        assert case.latest(LabTest.PLATELETS).canonical_value == pytest.approx(25000)

    def test_synthea_blood_creatinine_code_is_recognised(self):
        case = make_case(
            labs=[{"loinc": "38483-4", "value": 1.9, "unit": "mg/dL", "date": "2026-11-18"}]
        )
        assert case.latest(LabTest.CREATININE) is not None

    def test_loinc_and_test_must_agree(self):
        problems = problems_for(
            labs=[
                {
                    "test": "anc",
                    "loinc": "777-3",
                    "value": 25,
                    "unit": "10^3/uL",
                    "date": "2026-11-18",
                }
            ]
        )
        assert fields(problems) == ["labs.0.loinc"]

    def test_free_light_chains_in_mg_per_litre(self):
        case = make_case(labs=[lab("kappa_flc", 150, "mg/L")])
        assert case.latest(LabTest.KAPPA_FLC).canonical_value == pytest.approx(15)

    def test_units_as_written_are_kept(self):
        case = make_case(labs=[lab("platelets", 25, "10^3/uL")])
        result = case.latest(LabTest.PLATELETS)
        assert (result.value, result.unit) == (25, "10^3/uL")

    def test_latest_ignores_later_results(self):
        case = make_case(
            labs=[
                lab("anc", 500, "/uL", date="2026-11-01"),
                lab("anc", 1500, "/uL", date="2026-11-15"),
            ]
        )
        assert case.latest(LabTest.ANC, on_or_before=dt.date(2026, 11, 10)).canonical_value == 500
        assert case.latest(LabTest.ANC).canonical_value == 1500

    @given(st.floats(min_value=0.001, max_value=1000, allow_nan=False))
    def test_every_count_scale_agrees(self, value):
        per_ul = make_case(labs=[lab("platelets", value * 1000, "/uL")]).latest(LabTest.PLATELETS)
        si = make_case(labs=[lab("platelets", value, "10^9/L")]).latest(LabTest.PLATELETS)
        assert si.canonical_value == pytest.approx(per_ul.canonical_value)


class TestLoading:
    def test_as_of_defaults_to_today(self):
        data = case_data()
        del data["as_of"]
        assert case_from_data(data, today=TODAY).as_of == TODAY

    def test_json_and_yaml_give_the_same_case(self, tmp_path):
        data = case_data(labs=[lab("anc", 800, "/uL")])
        json_file = tmp_path / "case.json"
        json_file.write_text(json.dumps(data))
        from_json = load_case(json_file, today=TODAY)
        assert from_json == Case.from_data(data, default_knowledge())

    def test_text_that_is_not_a_mapping(self):
        with pytest.raises(CaseError) as raised:
            parse_case_text("- a\n- b\n", today=TODAY)
        assert fields(raised.value.problems) == ["(case)"]

    def test_unreadable_file(self, tmp_path):
        with pytest.raises(CaseError) as raised:
            load_case(tmp_path / "missing.yaml", today=TODAY)
        assert fields(raised.value.problems) == ["(file)"]

    def test_broken_yaml(self):
        with pytest.raises(CaseError) as raised:
            parse_case_text("patient: [unclosed", today=TODAY)
        assert fields(raised.value.problems) == ["(file)"]


@pytest.mark.parametrize("days_on", [[0, 0], [1, 40], [22, 21]])
def test_days_on_outside_the_cycle_is_refused(days_on):
    events = [{"date": "2026-11-02", "event": "start", "dose_mg": 5, "days_on": days_on}]
    problems = problems_for(therapy={"events": events})
    assert fields(problems) == ["therapy.events.0.days_on"]


class TestValidationAgainstTheGivenKnowledge:
    """A case is validated against the knowledge base it is given, never a hidden global."""

    def _kb_with_capsules(self, strengths: list[float]):
        from lenaguard.knowledge import KnowledgeBase
        from lenaguard.knowledge.topics.indications import IndicationsKnowledge

        kb = default_knowledge()
        indications = kb.get(IndicationsKnowledge)
        capsules = indications.capsule_strengths_mg.model_copy(update={"values": strengths})
        changed = indications.model_copy(update={"capsule_strengths_mg": capsules})
        topics = dict(kb.topics)
        topics[indications.topic] = changed
        return KnowledgeBase(topics)

    def test_the_limits_come_from_the_knowledge_given(self):
        data = case_data(
            therapy={"events": [{"date": "2026-11-01", "event": "start", "dose_mg": 25}]}
        )
        assert Case.from_data(data, default_knowledge()).therapy is not None
        with pytest.raises(CaseError) as raised:
            case_from_data(data, today=dt.date(2026, 11, 20), kb=self._kb_with_capsules([5, 10]))
        assert raised.value.problems[0].field == "therapy.events.0.dose_mg"

    def test_validating_without_a_knowledge_base_is_a_programming_error(self):
        with pytest.raises(TypeError, match="knowledge base"):
            Case.model_validate(case_data())
