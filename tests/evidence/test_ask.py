"""Answers: cited sections, consistent references, abstention, any question text."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.evidence import ask
from lenaguard.evidence.answer import sentences
from lenaguard.evidence.models import GUIDELINE_KINDS
from lenaguard.knowledge import default_knowledge
from tests.cli.runner import run

SAMPLE_QUESTION = "Can Revlimid be used in patients with viral infections?"


def _check_references(answer) -> None:
    used = {n for part in (answer.guidelines, answer.research) for s in part for n in s.citations}
    listed = [r.n for r in answer.references]
    assert listed == list(range(1, len(listed) + 1))
    assert used == set(listed)


def _passages(library):
    return {p.id: p for p in library.index().passages}


def test_the_sample_question_gets_guidelines_and_research_with_valid_citations(sample_library):
    answer = ask(SAMPLE_QUESTION, sample_library.index(), sample_library.kb)
    assert not answer.abstained
    assert answer.guidelines and answer.research
    _check_references(answer)
    passages = _passages(sample_library)
    by_number = {r.n: passages[r.passage] for r in answer.references}
    for part, guideline in ((answer.guidelines, True), (answer.research, False)):
        for sentence in part:
            for n in sentence.citations:
                cited = by_number[n]
                # extractive: every sentence is in the passage it cites
                for piece in sentences(sentence.text):
                    assert piece in " ".join(sentences(cited.text)), (piece, cited.id)
                assert (cited.kind in GUIDELINE_KINDS) is guideline


def test_sentences_on_weak_knowledge_say_so(sample_library):
    answer = ask(SAMPLE_QUESTION, sample_library.index(), sample_library.kb)
    passages = _passages(sample_library)
    numbered = {r.n: passages[r.passage] for r in answer.references}
    for sentence in answer.guidelines + answer.research:
        status = numbered[sentence.citations[0]].status
        weak = status is not None and status.value in {"secondary", "unverified"}
        assert (sentence.status is not None) is weak


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I bake sourdough bread?",
        "Who won the football world cup?",
        "",
    ],
)
def test_off_topic_questions_abstain(library, question):
    answer = ask(question, library.index(), library.kb)
    assert answer.abstained
    assert answer.references == [] and answer.guidelines == [] and answer.research == []


@pytest.mark.parametrize(
    "question",
    [
        'HBV AND (prophylaxis OR "lamivudine")',
        "CrCl:<30 dose?*",
        "ANC < 1,000 / mcL -- hold?",
        "\x00ß€",
    ],
)
def test_any_question_text_is_searched_and_never_errors(library, question):
    answer = ask(question, library.index(), library.kb)
    _check_references(answer)


def test_synonyms_find_the_knowledge_by_other_words(library):
    answer = ask("Does a blood thinner interact with Revlimid?", library.index(), library.kb)
    entries = {r.passage for r in answer.references}
    assert "kb:interactions.warfarin" in entries


def test_a_case_adds_what_the_rules_decided(library):
    from pathlib import Path

    from lenaguard.assess import assess
    from lenaguard.caseio import load_case

    example = Path(__file__).resolve().parents[2] / "examples"
    case_file = sorted(example.glob("*.yaml"))[0]
    kb = default_knowledge()
    assessment = assess(load_case(case_file, kb=kb), kb)
    answer = ask("Can this patient start now?", library.index(), kb, assessment=assessment)
    assert answer.case is not None
    assert answer.case.readiness == assessment.readiness.value
    assert answer.case.actions == [a.text for a in assessment.actions]


def test_the_command_answers_on_a_fresh_data_directory(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LENAGUARD_HOME", str(tmp_path / "home"))
    code, out, _ = run(
        capsys, monkeypatch, "ask", "What is the half-life of lenalidomide?", "--json"
    )
    assert code == 0
    answer = json.loads(out)
    assert set(answer) >= {
        "question",
        "summary",
        "guidelines",
        "research",
        "references",
        "conflicts",
        "abstained",
    }
    assert not answer["abstained"]
    assert (tmp_path / "home" / "evidence" / "index" / "meta.json").exists()


def test_ingest_list_and_remove_through_the_command_line(capsys, monkeypatch, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nDigoxin levels were checked monthly.\n")
    index = str(tmp_path / "ix")
    code, out, _ = run(
        capsys, monkeypatch, "ingest", str(note), "--kind", "review", "--index", index
    )
    assert code == 0 and "1 new" in out
    code, out, _ = run(capsys, monkeypatch, "corpus", "list", "--json", "--index", index)
    (document,) = json.loads(out)
    assert document["kind"] == "review"
    code, out, _ = run(capsys, monkeypatch, "corpus", "remove", document["id"], "--index", index)
    assert code == 0 and "removed" in out
    code, _, err = run(capsys, monkeypatch, "ingest", str(note), "--kind", "blog", "--index", index)
    assert code == 2 and "--kind" in err


@pytest.mark.parametrize(
    ("question", "request_"),
    [
        (
            "What dose for multiple myeloma with a CrCl of 45 mL/min?",
            {"indication": "mm_combination", "crcl_ml_min": 45},
        ),
        (
            "Myeloma maintenance, creatinine clearance 25: what dose?",
            {"indication": "mm_maintenance", "crcl_ml_min": 25},
        ),
        (
            "Starting dose in MDS for a patient on dialysis?",
            {"indication": "mds_del5q", "on_dialysis": True},
        ),
    ],
)
def test_a_question_with_the_rules_inputs_gets_the_computed_dose(library, question, request_):
    from lenaguard.calculators import starting_dose

    answer = ask(question, library.index(), library.kb)
    plan = starting_dose(request_, library.kb)
    (value,) = answer.computed
    assert value.rule == plan.rule and value.text == plan.reason
    assert value.citations == plan.citations and value.status == plan.status
    assert answer.summary.startswith(plan.reason)


@pytest.mark.parametrize(
    "question",
    ["What is the starting dose with a CrCl of 45?", "What is the dose in multiple myeloma?"],
)
def test_nothing_is_computed_without_every_input(library, question):
    assert ask(question, library.index(), library.kb).computed == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=st.text(max_size=200))
def test_any_text_at_all_is_answered_or_abstained_without_error(library, question):
    answer = ask(question, library.index(), library.kb)
    _check_references(answer)
    assert answer.abstained == (not answer.references and not answer.conflicts)


def test_padding_about_the_evidence_is_never_quoted(sample_library):
    from lenaguard.evidence.answer import PADDING

    answer = ask(SAMPLE_QUESTION, sample_library.index(), sample_library.kb)
    document = " ".join(p.text for p in sample_library.passages() if p.document)
    assert PADDING.search(document)  # the sample answer pads ("no direct studies …")
    for sentence in answer.guidelines + answer.research:
        assert not PADDING.search(sentence.text)
    assert not PADDING.search(answer.summary)
