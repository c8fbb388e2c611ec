"""The evidence commands: `ask`, `ingest`, `corpus list|remove`.

Each imports the search machinery only when it runs, so `lenaguard assess` starts as before.
The index lives in the data directory's `evidence/` (lenaguard.settings.data_home) unless
`--index DIR` names another.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from lenaguard.cli.groups import command_group
from lenaguard.errors import InputError

corpus_app = command_group("The ingested documents of the evidence library.")

KINDS = ("label", "guideline", "trial", "review", "patient education", "news", "other")
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index", help="Index directory (default: the data directory's evidence/).", metavar="DIR"
    ),
]


def _library(index: Path | None):
    from lenaguard.evidence.ingest import Library
    from lenaguard.knowledge import default_knowledge
    from lenaguard.settings import data_home

    directory = index if index is not None else data_home(os.environ) / "evidence"
    return Library(directory, default_knowledge())


def ask(
    question: Annotated[str, typer.Argument(help="The question, in words.", show_default=False)],
    case: Annotated[
        Path | None,
        typer.Option(
            "--case",
            help="A case file: add what the rules decide for this patient.",
            metavar="FILE",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    index: IndexOption = None,
) -> None:
    """Answer a question from the knowledge base and the ingested documents, with citations."""
    from lenaguard.evidence import ask as answer_question

    library = _library(index)
    assessment = None
    if case is not None:
        from lenaguard.assess import assess
        from lenaguard.caseio import load_case

        assessment = assess(load_case(case, kb=library.kb), library.kb)
    answer = answer_question(question, library.index(), library.kb, assessment=assessment)
    if as_json:
        sys.stdout.write(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    from lenaguard.cli.evidence_report import render_answer

    render_answer(answer)


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files: .txt, .md, .html, .pdf (folders: their files).", metavar="PATH"
        ),
    ],
    kind: Annotated[
        str,
        typer.Option("--kind", help=f"What the documents are: {', '.join(KINDS)}.", metavar="KIND"),
    ] = "other",
    index: IndexOption = None,
) -> None:
    """Add documents to the evidence library (unchanged files are skipped)."""
    from rich.progress import Progress

    from lenaguard.evidence.ingest import FORMATS
    from lenaguard.knowledge.base import EvidenceKind

    if kind not in KINDS:
        raise InputError([("--kind", f"{kind!r} is not one of: {', '.join(KINDS)}")])
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS)
        elif not path.exists():
            raise InputError([("PATH", f"{path}: no such file")])
        else:
            files.append(path)
    library = _library(index)
    with Progress(transient=True, disable=len(files) < 2) as progress:
        task = progress.add_task("ingesting", total=len(files))
        report = library.ingest(
            files, kind=EvidenceKind(kind), progress=lambda _: progress.advance(task)
        )
    sys.stdout.write(
        f"ingested {len(report.added)} new, {len(report.replaced)} changed, "
        f"{len(report.unchanged)} unchanged; {report.passages} passages\n"
    )


@corpus_app.command("list")
def corpus_list(
    as_json: Annotated[bool, typer.Option("--json")] = False, index: IndexOption = None
) -> None:
    """List the ingested documents: id, kind, passages, title and origin."""
    documents = _library(index).documents()
    if as_json:
        sys.stdout.write(json.dumps([d.model_dump(mode="json") for d in documents]) + "\n")
        return
    for d in documents:
        sys.stdout.write(f"{d.id}\t{d.kind.value}\t{d.passages}\t{d.title}\t{d.origin}\n")


@corpus_app.command("remove")
def corpus_remove(
    documents: Annotated[list[str], typer.Argument(help="Document ids or paths.", metavar="DOC")],
    index: IndexOption = None,
) -> None:
    """Remove ingested documents (by id, as `corpus list` shows, or by path)."""
    removed = _library(index).remove(documents)
    if not removed:
        raise InputError([("DOC", "no ingested document has that id or path")])
    for d in removed:
        sys.stdout.write(f"removed {d.id}\t{d.origin}\n")


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(ingest)
    app.add_typer(corpus_app, name="corpus")
