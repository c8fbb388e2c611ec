"""The evidence benchmarks run in CI: the whole gold set, and a PubMedQA subset."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.evidence.conftest import FIXTURES

QA = Path(__file__).resolve().parents[2] / "benchmarks" / "qa"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"qa_{name}", QA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_the_gold_set_meets_its_targets():
    score = _module("score")
    questions = score.load_gold()
    assert len(questions) >= 40
    assert sum(bool(q.get("abstain")) for q in questions) >= 5
    report = score.run()
    for metric, target in score.TARGETS.items():
        assert report[metric] >= target, (metric, report["misses"])


def test_the_gold_scoring_catches_a_missing_fact_and_a_wrong_abstention():
    score = _module("score")
    wrong = {
        "questions": [
            {"id": "x", "question": "What is the half-life of lenalidomide?", "facts": ["banana"]},
            {"id": "y", "question": "What is the half-life of lenalidomide?", "abstain": True},
        ]
    }
    import tempfile

    from lenaguard.evidence.ingest import Library
    from lenaguard.knowledge import default_knowledge

    with tempfile.TemporaryDirectory() as directory:
        library = Library(Path(directory), default_knowledge())
        index = library.index()
        results = [score.score_one(q, library, index) for q in wrong["questions"]]
    report = score.summarise(results)
    assert report["fact_recall"] == 0.0
    assert report["abstention_accuracy"] == 0.5


def test_pubmedqa_subset_finds_each_questions_own_abstract():
    pubmedqa = _module("pubmedqa")
    report = pubmedqa.run(FIXTURES / "pubmedqa", limit=120)
    assert report["questions"] == 120
    assert report["recall_at_5"] >= 0.9
    assert report["citation_precision"] == 1.0
