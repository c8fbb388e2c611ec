"""PubMedQA check of the evidence machinery on text no one here wrote.

Writes each PubMedQA-L abstract (tests/fixtures/pubmedqa, MIT licence) as a Markdown file,
ingests them all with `lenaguard ingest`'s library, asks every question and reports where the
question's own abstract appears among the cited references: recall@1, recall@5 and MRR, the
citation precision (citations whose passage contains their sentence ÷ all citations),
abstentions, ingestion throughput and `ask` latency (index loaded, start-up excluded).

Usage: python benchmarks/qa/pubmedqa.py [--fixtures DIR] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lenaguard.evidence import ask
from lenaguard.evidence.answer import sentences
from lenaguard.evidence.ingest import Library, document_id
from lenaguard.knowledge import default_knowledge

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pubmedqa"


def _list(value) -> list[str]:
    return value if isinstance(value, list) else ast.literal_eval(value)


def write_abstracts(items: dict, directory: Path) -> dict[str, str]:
    """One Markdown file per abstract; returns PMID → document id."""
    ids = {}
    for pmid, item in items.items():
        path = directory / f"{pmid}.md"
        body = [f"# PubMed {pmid}"]
        for label, text in zip(_list(item["LABELS"]), _list(item["CONTEXTS"]), strict=False):
            body += [f"## {label.title()}", text]
        path.write_text("\n\n".join(body) + "\n", encoding="utf-8")
        ids[pmid] = document_id(str(path.resolve()))
    return ids


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def run(fixtures: Path = FIXTURES, limit: int | None = None) -> dict:
    items = json.loads((fixtures / "ori_pqal.json").read_text())
    if limit:
        items = dict(list(items.items())[:limit])
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "abstracts").mkdir()
        ids = write_abstracts(items, root / "abstracts")
        library = Library(root / "index", default_knowledge())
        files = sorted((root / "abstracts").iterdir())
        start = time.perf_counter()
        report = library.ingest(files)
        ingest_seconds = time.perf_counter() - start
        index = library.index()
        passages = {p.id: p for p in index.passages}
        ranks, latencies = [], []
        citations = supported = abstained = 0
        for pmid, item in items.items():
            start = time.perf_counter()
            answer = ask(item["QUESTION"], index, library.kb)
            latencies.append((time.perf_counter() - start) * 1000)
            abstained += answer.abstained
            by_number = {r.n: passages[r.passage] for r in answer.references}
            rank = next(
                (r.n for r in answer.references if by_number[r.n].document == ids[pmid]), None
            )
            ranks.append(rank)
            for sentence in answer.guidelines + answer.research:
                for n in sentence.citations:
                    citations += 1
                    cited = _normal(" ".join(sentences(by_number[n].text)))
                    supported += all(_normal(s) in cited for s in sentences(sentence.text))
    count = len(ranks)
    ordered = sorted(latencies)
    return {
        "questions": count,
        "passages": report.passages,
        "ingest_seconds": ingest_seconds,
        "ingest_documents_per_second": len(files) / ingest_seconds,
        "recall_at_1": sum(r == 1 for r in ranks) / count,
        "recall_at_5": sum(r is not None and r <= 5 for r in ranks) / count,
        "mrr": sum(1 / r for r in ranks if r) / count,
        "citation_precision": supported / citations if citations else 1.0,
        "abstained": abstained,
        "latency_ms": {
            "p50": statistics.median(latencies),
            "p95": ordered[min(count - 1, round(0.95 * (count - 1)))],
            "max": ordered[-1],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--limit", type=int, help="Only the first N questions (and abstracts).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.fixtures, args.limit)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            if isinstance(value, dict):
                value = "  ".join(f"{k} {v:.1f}" for k, v in value.items())
            elif isinstance(value, float):
                value = f"{value:.3f}"
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
