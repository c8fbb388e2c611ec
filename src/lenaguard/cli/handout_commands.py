"""`lenaguard handout CASE`: the personal patient handout as a standalone HTML file.

The file embeds its stylesheet, so it opens offline (from a disk, a USB stick, an e-mail).
`--ics FILE` also writes the dosing and test dates as a calendar file. Errors are the assess
command's: exit code 2 and one line naming the field.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from lenaguard.errors import InputError
from lenaguard.vocab import Indication

STDIN = "-"


def _write(path: Path, data: bytes, option: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError([(option, f"cannot write {path}: {exc.strerror}")]) from exc


def handout(
    case: Annotated[
        str,
        typer.Argument(
            help="A case file (YAML or JSON) or a FHIR R4 Bundle (JSON), or - for standard input.",
            metavar="CASE",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the HTML to this file (default: standard output).", metavar="FILE"
        ),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            help="Also write the dosing and test dates as a calendar file (.ics).",
            metavar="FILE",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="Assessment date YYYY-MM-DD when the file has no as_of.", metavar="DATE"),
    ] = None,
    indication: Annotated[
        Indication | None,
        typer.Option(
            help="FHIR input: the indication, when the diagnoses (Conditions) do not name one."
        ),
    ] = None,
    language: Annotated[
        str,
        typer.Option(
            help="The handout's language (a translation in the message catalogue).", metavar="CODE"
        ),
    ] = "en",
) -> None:
    """Write a patient's plain-language handout: days to take the capsules, test dates, rules,
    what to do about a missed dose or a symptom, and whom to call."""
    from lenaguard.assess import assess
    from lenaguard.case_input import read_case_input
    from lenaguard.caseio import read_case_text
    from lenaguard.handout import (
        build_handout,
        calendar_ics,
        contact_for,
        render_html,
    )
    from lenaguard.knowledge import default_knowledge
    from lenaguard.settings import Settings

    if as_of:
        try:
            today = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise InputError([("--as-of", f"{as_of!r} is not a date (YYYY-MM-DD)")]) from exc
    else:
        today = dt.date.today()
    kb = default_knowledge()  # a broken knowledge base stops here: exit code 3
    if case == STDIN:
        text, source = sys.stdin.read(), "standard input"
    else:
        text, source = read_case_text(Path(case)), case
    found, notes = read_case_input(
        text, today=today, kb=kb, indication=indication, source=source, require_bundle=False
    )
    assessment = assess(found, kb, notes=notes)
    settings = Settings.from_env(os.environ)
    handout_ = build_handout(
        assessment, found, kb, contact_for(settings.clinic_name, settings.clinic_phone)
    )
    html = render_html(handout_, language=language)
    if ics is not None:
        _write(ics, calendar_ics(handout_, language=language), "--ics")
    if out is None:
        sys.stdout.write(html)
    else:
        _write(out, html.encode("utf-8"), "--out")


def register(app: typer.Typer) -> None:
    app.command()(handout)
