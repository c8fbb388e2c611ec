"""Score lenaguard's evidence answers against the gold questions (benchmarks/qa/gold.yaml).

Reports, over the built-in corpus (and the sample documents with --documents):
- fact recall: the gold facts found in the answers ÷ all gold facts (answerable questions);
- citation precision: citations whose passage contains every sentence they support ÷ all
  citations (the extractive composer's promise, checked from the outside);
- gold citation recall: gold knowledge entries cited ÷ gold entries;
- abstention accuracy: questions whose `abstained` is right ÷ all questions;
- latency of `ask` (index loaded, process start-up excluded): p50, p95, max.

Usage: python benchmarks/qa/score.py [--documents DIR] [--only ID ...] [--json] [--check]
--check exits 1 when a target is missed (fact recall ≥ 0.90, citation precision ≥ 0.95,
abstention accuracy 1.0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lenaguard.evidence import ask
from lenaguard.evidence.answer import sentences
from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import default_knowledge

GOLD = Path(__file__).with_name("gold.yaml")
TARGETS = {"fact_recall": 0.90, "citation_precision": 0.95, "abstention_accuracy": 1.0}


def _normal(text: str) -> str:
    text = text.translate(str.maketrans({"\u2010": "-", "\u2011": "-", "\u2013": "-"}))
    return " ".join(text.lower().split())


def load_gold(only: list[str] | None = None) -> list[dict]:
    questions = yaml.safe_load(GOLD.read_text())["questions"]
    return [q for q in questions if not only or q["id"] in only]


@dataclass
class Result:
    id: str
    abstained_right: bool
    facts: int = 0
    facts_found: int = 0
    missing: list[str] = field(default_factory=list)
    citations: int = 0
    supported: int = 0
    gold_cites: int = 0
    gold_cited: int = 0
    seconds: float = 0.0


def _gold_groups(cite) -> list[list[str]]:
    if cite is None:
        return []
    if isinstance(cite, dict):
        return [cite["any_of"]]
    return [[entry] for entry in cite]


def score_one(question: dict, library: Library, index) -> Result:
    start = time.perf_counter()
    answer = ask(question["question"], index, library.kb)
    seconds = time.perf_counter() - start
    expected_abstain = bool(question.get("abstain"))
    result = Result(question["id"], answer.abstained == expected_abstain, seconds=seconds)
    passages = {p.id: p for p in index.passages}
    by_number = {r.n: passages[r.passage] for r in answer.references}
    for sentence in answer.guidelines + answer.research:
        for n in sentence.citations:
            result.citations += 1
            cited = _normal(" ".join(sentences(by_number[n].text)))
            if all(_normal(piece) in cited for piece in sentences(sentence.text)):
                result.supported += 1
    if expected_abstain:
        return result
    text = _normal(
        " ".join(
            [answer.summary]
            + [s.text for s in answer.guidelines + answer.research]
            + ([answer.case.dose, *answer.case.actions] if answer.case else [])
        )
    )
    for fact in question.get("facts", []):
        result.facts += 1
        if _normal(fact) in text:
            result.facts_found += 1
        else:
            result.missing.append(fact)
    cited_entries = {passages[r.passage].entry for r in answer.references}
    for group in _gold_groups(question.get("cite")):
        result.gold_cites += 1
        if cited_entries & set(group):
            result.gold_cited += 1
        else:
            result.missing.append("cite:" + "|".join(group))
    return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(results: list[Result]) -> dict:
    facts = sum(r.facts for r in results)
    citations = sum(r.citations for r in results)
    gold = sum(r.gold_cites for r in results)
    latencies = [r.seconds * 1000 for r in results]
    return {
        "questions": len(results),
        "fact_recall": sum(r.facts_found for r in results) / facts if facts else 1.0,
        "citation_precision": sum(r.supported for r in results) / citations if citations else 1.0,
        "gold_citation_recall": sum(r.gold_cited for r in results) / gold if gold else 1.0,
        "abstention_accuracy": sum(r.abstained_right for r in results) / len(results),
        "latency_ms": {
            "p50": statistics.median(latencies),
            "p95": percentile(latencies, 0.95),
            "max": max(latencies),
        },
        "misses": {r.id: r.missing for r in results if r.missing or not r.abstained_right},
    }


def run(documents: Path | None = None, only: list[str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        library = Library(Path(directory), default_knowledge())
        if documents is not None:
            library.ingest(sorted(p for p in documents.iterdir() if p.is_file()))
        index = library.index()
        ask("warm-up question about lenalidomide dosing", index, library.kb)
        return summarise([score_one(q, library, index) for q in load_gold(only)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, help="Ingest the files of this folder first.")
    parser.add_argument("--only", nargs="*", help="Score only these question ids.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="Exit 1 when a target is missed.")
    args = parser.parse_args(argv)
    report = run(args.documents, args.only)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key in ("questions", "fact_recall", "citation_precision", "gold_citation_recall"):
            value = report[key]
            print(f"{key:22} {value:.3f}" if isinstance(value, float) else f"{key:22} {value}")
        print(f"{'abstention_accuracy':22} {report['abstention_accuracy']:.3f}")
        lat = report["latency_ms"]
        print(f"{'latency_ms':22} p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  max {lat['max']:.1f}")
        for qid, missing in report["misses"].items():
            print(f"  miss {qid}: {', '.join(missing) or 'abstention wrong'}")
    missed = [k for k, target in TARGETS.items() if report[k] < target]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
