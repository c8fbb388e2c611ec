"""Speed of evidence ingestion and answers at size.

Generates HTML pages (each with navigation, a cookie notice, share buttons and a related list
to strip, and ten sections of text), ingests them through the library that `lenaguard ingest`
uses, and then times `ask` over the gold questions with the index loaded (process start-up
excluded). Reports pages and passages per second, index load time and ask p50/p95/max.

Usage: python benchmarks/qa/speed.py [--pages 1000] [--json]
Target (issue 10): ask p95 under 100 ms with 10,000 ingested passages.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lenaguard.evidence import ask
from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import default_knowledge

WORDS = (
    "patient",
    "treatment",
    "dose",
    "cycle",
    "myeloma",
    "lymphoma",
    "platelet",
    "neutrophil",
    "infection",
    "kidney",
    "liver",
    "clot",
    "aspirin",
    "heparin",
    "response",
    "protein",
    "marrow",
    "transplant",
    "trial",
    "outcome",
    "survival",
    "week",
    "month",
    "monitoring",
    "blood",
    "count",
    "rash",
    "fever",
    "pregnancy",
    "test",
    "contraception",
    "pharmacy",
    "prescription",
    "risk",
    "study",
    "cohort",
    "analysis",
    "median",
    "interval",
    "adverse",
    "event",
    "grade",
    "therapy",
    "maintenance",
    "relapse",
    "virus",
    "hepatitis",
    "antiviral",
    "prophylaxis",
    "renal",
    "clearance",
    "creatinine",
    "dialysis",
    "schedule",
)
SECTIONS = 10


def _paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 5)):
        words = rng.choices(WORDS, k=rng.randint(10, 18))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def page(number: int, rng: random.Random) -> str:
    sections = "".join(
        f"<h2>Section {s + 1} of page {number}</h2><p>{_paragraph(rng)}</p>"
        for s in range(SECTIONS)
    )
    return (
        f"<html><head><title>Generated page {number}</title></head><body>"
        "<nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
        "<div id='cookie-consent'>We use cookies. Accept cookies?</div>"
        f"<main><h1>Generated page {number}</h1>{sections}"
        "<div class='share'>Share on Facebook</div>"
        "<aside class='related'><h3>Related articles</h3><ul><li>Other</li></ul></aside>"
        "</main><footer>Footer</footer></body></html>"
    )


def run(pages: int = 1000, seed: int = 10) -> dict:
    rng = random.Random(seed)
    questions = [
        q["question"]
        for q in yaml.safe_load((Path(__file__).with_name("gold.yaml")).read_text())["questions"]
    ]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "pages").mkdir()
        for number in range(pages):
            (root / "pages" / f"page{number:05d}.html").write_text(page(number, rng))
        files = sorted((root / "pages").iterdir())
        library = Library(root / "index", default_knowledge())
        start = time.perf_counter()
        report = library.ingest(files)
        ingest_seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = library.ingest(files)
        reingest_seconds = time.perf_counter() - start
        start = time.perf_counter()
        index = Library(root / "index", default_knowledge()).index()
        load_seconds = time.perf_counter() - start
        ask(questions[0], index, library.kb)
        latencies = []
        for _ in range(3):
            for question in questions:
                start = time.perf_counter()
                ask(question, index, library.kb)
                latencies.append((time.perf_counter() - start) * 1000)
    ordered = sorted(latencies)
    return {
        "pages": pages,
        "ingested_passages": report.passages,
        "indexed_passages": len(index.passages),
        "ingest_seconds": ingest_seconds,
        "pages_per_second": pages / ingest_seconds,
        "passages_per_second": report.passages / ingest_seconds,
        "unchanged_reingest_seconds": reingest_seconds,
        "unchanged_files": len(again.unchanged),
        "index_load_ms": load_seconds * 1000,
        "ask_ms": {
            "p50": statistics.median(latencies),
            "p95": ordered[round(0.95 * (len(ordered) - 1))],
            "max": ordered[-1],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.pages)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            if isinstance(value, dict):
                value = "  ".join(f"{k} {v:.1f}" for k, v in value.items())
            elif isinstance(value, float):
                value = f"{value:.2f}"
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
