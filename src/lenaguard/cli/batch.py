"""Assessing the inputs of `lenaguard assess`: one by one, or in a process pool when many.

Each input becomes an `Outcome`: its exit code and the text it prints (the report, the JSON
object, or one JSON line), made wherever the work runs so a worker returns plain text. Outcomes
come back in input order. One bad input never stops the others: its error is its outcome.

Few inputs run in this process, so a one-file run pays no pool start-up. Many inputs run in a
`ProcessPoolExecutor` over the usable CPUs, in chunks; the caller loads the knowledge base
first, so forked workers inherit it (and an initializer loads it where workers are spawned).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lenaguard.assess import Assessment, assess
from lenaguard.case import Case
from lenaguard.case_input import read_case_input
from lenaguard.caseio import read_case_text
from lenaguard.cli.exit_codes import ExitCode, exit_code_for
from lenaguard.cli.problems import one_line, problem
from lenaguard.cli.sources import Source
from lenaguard.findings import Finding
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import Indication

if TYPE_CHECKING:  # rich is imported only when a report is drawn (not for --json)
    from lenaguard.cli.output import ReportStyle

POOL_MIN_INPUTS = {"report": 8, "json": 32, "json_lines": 32}
"""Below this many inputs a pool costs more to start than it saves (a report costs several
times an assessment to draw, so reports reach the break-even point sooner)."""

CHUNKS_PER_WORKER = 4
"""Inputs go to the workers in chunks: few enough to keep pickling cheap, enough to balance."""


class Layout(StrEnum):
    REPORT = "report"
    """The report; several inputs print one after another, each under a separator line."""
    JSON = "json"
    """One input: the assessment object, or `{"source", "error"}`, indented."""
    JSON_LINES = "json_lines"
    """Several inputs: one compact `{"source", "assessment" | "error"}` line per input."""


@dataclass(frozen=True)
class Job:
    """What every input of one run shares."""

    layout: Layout
    today: dt.date
    verified_only: bool = False
    style: ReportStyle | None = None
    """The report's look (REPORT layout only)."""
    separators: bool = False
    """REPORT layout: a separator line naming the input before each report."""
    full: bool = False
    """REPORT layout: after the first screen, every section with its sources (`--full`)."""
    indication: Indication | None = None
    """FHIR input: the indication when the diagnoses do not give it (`--indication`)."""


@dataclass(frozen=True)
class Outcome:
    """One input's result: its code, its standard output text, its one-line error if any."""

    source: str
    code: ExitCode
    """OK, NOT_READY (assessed, not ready to prescribe), INVALID_INPUT or INTERNAL."""
    output: str = ""
    message: str | None = None
    """REPORT layout: the error line for standard error."""


def assess_source(source: Source, job: Job) -> Outcome:
    """Read, assess and format one input; every error becomes the outcome, never a raise."""
    try:
        case, notes = _read(source, job)
        kb = default_knowledge()
        assessment = assess(case, kb, verified_only=job.verified_only, notes=notes)
        output = _format(source, job, case, assessment)
    except Exception as exc:  # one bad input must not stop a batch, nor show a traceback
        return _failure(source, job, exc)
    code = ExitCode.OK if assessment.ready_to_prescribe else ExitCode.NOT_READY
    return Outcome(source.name, code, output)


def assess_all(sources: Sequence[Source], job: Job) -> Iterator[Outcome]:
    """The outcome of every source, in order; a process pool when there are many."""
    workers = _usable_cpus()
    if len(sources) < POOL_MIN_INPUTS[job.layout] or workers < 2:
        return (assess_source(source, job) for source in sources)
    return _in_pool(sources, job, workers)


def _in_pool(sources: Sequence[Source], job: Job, workers: int) -> Iterator[Outcome]:
    from concurrent.futures import ProcessPoolExecutor

    chunksize = max(1, len(sources) // (workers * CHUNKS_PER_WORKER))
    sys.stdout.flush()  # a forked worker must not inherit unwritten output
    sys.stderr.flush()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker)
    try:
        yield from pool.map(partial(assess_source, job=job), sources, chunksize=chunksize)
    finally:  # also when the reader stops early (a closed pipe, Ctrl-C): drop what is queued
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    """Ctrl-C is the parent's to handle (workers would print tracebacks); load the knowledge."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    default_knowledge()


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _read(source: Source, job: Job) -> tuple[Case, list[Finding]]:
    """The case of one input and the notes of its FHIR mapping (none for a case file)."""
    if source.problem is not None:
        raise source.error()
    text = source.text if source.text is not None else read_case_text(Path(source.name))
    return read_case_input(
        text,
        today=job.today,
        indication=job.indication,
        source=source.name,
        require_bundle=False,
    )


def assess_stream(sources: Iterable[Source], job: Job, *, window: int = 64) -> Iterator[Outcome]:
    """The outcome of every source of a stream too long to hold (a bulk export's patients), in
    order, over every usable CPU, with at most `window` chunks in flight (bounded memory)."""
    from concurrent.futures import ProcessPoolExecutor

    workers = _usable_cpus()
    if workers < 2:
        yield from (assess_source(source, job) for source in sources)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    chunk: list[Source] = []
    pending: list = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker)
    try:
        for source in sources:
            chunk.append(source)
            if len(chunk) == CHUNK_SOURCES:
                pending.append(pool.submit(_assess_chunk, chunk, job))
                chunk = []
                while len(pending) >= window:
                    yield from pending.pop(0).result()
        if chunk:
            pending.append(pool.submit(_assess_chunk, chunk, job))
        for future in pending:
            yield from future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


CHUNK_SOURCES = 16
"""Sources per task of `assess_stream`."""


def _assess_chunk(sources: list[Source], job: Job) -> list[Outcome]:
    return [assess_source(source, job) for source in sources]


def _format(source: Source, job: Job, case: Case, assessment: Assessment) -> str:
    if job.layout is Layout.JSON:
        return _json(assessment.to_json_dict(), indent=2)
    if job.layout is Layout.JSON_LINES:
        return _json({"source": source.name, "assessment": assessment.to_json_dict()})
    return _report(source, job, case, assessment)


def _report(source: Source, job: Job, case: Case, assessment: Assessment) -> str:
    from lenaguard.cli.output import ReportStyle
    from lenaguard.cli.report import render_assessment
    from lenaguard.cli.screen import render_first_screen, safe

    style = job.style or ReportStyle.for_stdout(plain=False)

    def draw(console: Any) -> None:
        if job.separators:
            console.print(style.separator(safe(source.name)))  # a file name is input too
        render_first_screen(console, case, assessment, default_knowledge())
        if job.full:
            render_assessment(console, case, assessment, default_knowledge())

    return style.render(draw)


def _failure(source: Source, job: Job, error: Exception) -> Outcome:
    code = exit_code_for(error)
    if job.layout is Layout.REPORT:
        message = one_line(error)
        if getattr(error, "source", None) is None:
            message = f"{source.name}: {message}"
        return Outcome(source.name, code, message=message)
    indent = 2 if job.layout is Layout.JSON else None
    return Outcome(
        source.name, code, _json({"source": source.name, "error": problem(error)}, indent)
    )


def _json(data: Any, indent: int | None = None) -> str:
    separators = None if indent else (",", ":")
    return json.dumps(data, indent=indent, separators=separators, ensure_ascii=False) + "\n"
