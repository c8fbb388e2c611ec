"""The `lenaguard` command line: assess cases, quick calculators, the knowledge base, the schema.

Exit codes (lenaguard.cli.exit_codes): 0 success; 1 an unexpected internal error (one line,
never a traceback); 2 invalid input (the message names the field); 3 the knowledge base is
broken; 4 with `assess --strict`, a case assessed but not ready to prescribe.

Start-up time matters (a command run between two patients, or in a script's loop): this module
imports only typer and lenaguard's light modules; each command imports what it needs (pydantic,
the rules, rich) when it runs, so `lenaguard --help` loads none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lenaguard._version import __version__
from lenaguard.cli import evidence_commands, handout_commands, service_commands
from lenaguard.cli.exit_codes import ExitCode, exit_code_for, run_exit_code
from lenaguard.cli.groups import command_group
from lenaguard.cli.problems import one_line
from lenaguard.errors import InputError, KnowledgeError
from lenaguard.vocab import Indication, Sex, WeightPolicy

if TYPE_CHECKING:
    from rich.console import Console

    from lenaguard.cli.batch import Outcome
    from lenaguard.knowledge import KnowledgeBase

app = command_group(
    "Lenalidomide (Revlimid) therapy safety: cited dosing, safety screens and response.",
    name="lenaguard",
    pretty_exceptions_enable=False,
)
knowledge_app = command_group("Check and show the cited knowledge base.")
app.add_typer(knowledge_app, name="knowledge")
fhir_app = command_group("FHIR R4 input: how resources map to a case.")
app.add_typer(fhir_app, name="fhir")


class _StdoutConsole:
    """rich's Console for standard output, made on first use (rich takes a while to import)."""

    def __init__(self) -> None:
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console()
        return getattr(self._console, name)


out = _StdoutConsole()


class CreatinineUnit(StrEnum):
    MG_DL = "mg/dL"
    UMOL_L = "umol/L"


def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once; imported on first use (pydantic, every topic)."""
    from lenaguard.knowledge import default_knowledge as packaged

    return packaged()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"lenaguard {__version__} (knowledge {default_knowledge().version})\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show the lenaguard release and the knowledge version (content hash), and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Lenalidomide (Revlimid) therapy safety: cited dosing, safety screens and response."""


@app.command()
def assess(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Case files (YAML or JSON) or FHIR R4 Bundles (JSON), folders of them, or - for "
            "standard input.",
            metavar="CASE",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON: the assessment for one case file; one line per input for several.",
        ),
    ] = False,
    verified_only: Annotated[
        bool, typer.Option("--verified-only", help="Leave out rules whose status is unverified.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(help="Assessment date YYYY-MM-DD when the file has no as_of.", metavar="DATE"),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit with code 4 when a case is assessed but not ready to prescribe."
        ),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain", help="The report without boxes or colour, to paste into a clinical note."
        ),
    ] = False,
    pager: Annotated[
        bool,
        typer.Option(
            "--pager/--no-pager", help="Page a report taller than the terminal (honours PAGER)."
        ),
    ] = True,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="After the first screen: monitoring, scores, every finding, sources."
        ),
    ] = False,
    indication: Annotated[
        Indication | None,
        typer.Option(
            help="FHIR input: the indication, when the diagnoses (Conditions) do not name one."
        ),
    ] = None,
    fhir_ndjson: Annotated[
        str | None,
        typer.Option(
            "--fhir-ndjson",
            help="A FHIR Bulk Data export (a folder of NDJSON files): assess every patient on "
            "lenalidomide, one JSON line each.",
            metavar="DIR",
        ),
    ] = None,
) -> None:
    """Assess cases: dose, renal function, safety screens, monitoring and response."""
    from lenaguard.cli.batch import Job, Layout, assess_all
    from lenaguard.cli.sources import expand

    today = _parse_date(as_of, "--as-of") if as_of else dt.date.today()
    if fhir_ndjson is not None:
        if inputs:
            raise InputError([("--fhir-ndjson", "give either case files or --fhir-ndjson DIR")])
        _assess_bulk(
            fhir_ndjson, Job(Layout.JSON_LINES, today, verified_only, indication=indication), strict
        )
        return
    if not inputs:
        raise InputError([("CASE", "give at least one case file, folder or -")])
    sources, saw_directory = expand(inputs)
    several = len(sources) > 1 or saw_directory
    default_knowledge()  # a broken knowledge base stops here, before any input: exit code 3
    page_height = None  # never page JSON, nor into a pipe or a file
    if as_json:
        job = Job(
            Layout.JSON_LINES if several else Layout.JSON,
            today,
            verified_only,
            indication=indication,
        )
    else:
        from lenaguard.cli import output

        style = output.ReportStyle.for_stdout(plain=plain)
        job = Job(
            Layout.REPORT,
            today,
            verified_only,
            style=style,
            separators=several,
            full=full,
            indication=indication,
        )
        if pager and output.stdout_is_terminal():
            page_height = style.height
    codes = _print_outcomes(assess_all(sources, job), page_height)
    code = run_exit_code(codes, strict=strict)
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


def _assess_bulk(directory: str, job: Any, strict: bool) -> None:
    """`--fhir-ndjson DIR`: one JSON line per patient on lenalidomide, streamed."""
    from pathlib import Path

    from lenaguard.cli.batch import assess_stream
    from lenaguard.cli.fhir_bulk import patient_sources

    default_knowledge()
    codes = _print_outcomes(assess_stream(patient_sources(Path(directory)), job), None)
    code = run_exit_code(codes, strict=strict)
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


def _print_outcomes(outcomes: Iterable[Outcome], page_height: int | None) -> list[ExitCode]:
    """Print each outcome as it comes: its text on stdout, its error line on stderr.

    With a pager (`page_height` given), the text is held and paged at the end when it is
    taller than the terminal; the error lines follow, so the pager does not hide them.
    """
    if page_height is not None:
        from lenaguard.cli.output import write

        done = list(outcomes)
        write("".join(outcome.output for outcome in done), page=True, height=page_height)
        sys.stdout.flush()
        for outcome in done:
            if outcome.message:
                sys.stderr.write(f"error: {_literal(outcome.message)}\n")
        return [outcome.code for outcome in done]
    codes = []
    for outcome in outcomes:
        codes.append(outcome.code)
        sys.stdout.write(outcome.output)
        if outcome.message:
            sys.stderr.write(f"error: {_literal(outcome.message)}\n")
    return codes


@app.command()
def crcl(
    sex: Annotated[Sex, typer.Option(help="female or male.")],
    age: Annotated[int, typer.Option(help="Age in years (18 or more).", metavar="YEARS")],
    weight_kg: Annotated[float, typer.Option(help="Actual body weight in kg.", metavar="KG")],
    creatinine: Annotated[float, typer.Option(help="Serum creatinine.", metavar="VALUE")],
    creatinine_unit: Annotated[CreatinineUnit, typer.Option()] = CreatinineUnit.MG_DL,
    height_cm: Annotated[
        float | None,
        typer.Option(help="Height; needed for ideal, adjusted and bmi_rule.", metavar="CM"),
    ] = None,
    weight_policy: Annotated[WeightPolicy, typer.Option()] = WeightPolicy.ACTUAL,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Creatinine clearance by Cockcroft-Gault, with the weight used and the label band."""
    from lenaguard.calculators import creatinine_clearance

    result = _calculator(
        creatinine_clearance,
        {
            "sex": sex,
            "age_years": age,
            "weight_kg": weight_kg,
            "height_cm": height_cm,
            "creatinine": creatinine,
            "creatinine_unit": creatinine_unit.value,
            "weight_policy": weight_policy,
        },
    )
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    out.print(
        f"CrCl (Cockcroft-Gault) [bold]{result.crcl_ml_min:.1f} mL/min[/] — band "
        f"[bold]{result.band.value}[/]\nWeight used: {result.weight_basis}"
    )


@app.command()
def dose(
    indication: Annotated[Indication, typer.Option(help="Indication key.")],
    crcl_ml_min: Annotated[
        float | None,
        typer.Option("--crcl", help="Creatinine clearance in mL/min.", metavar="ML_MIN"),
    ] = None,
    dialysis: Annotated[bool, typer.Option("--dialysis", help="On maintenance dialysis.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Label starting dose for an indication and renal function."""
    from lenaguard.calculators import starting_dose

    result = _calculator(
        starting_dose,
        {"indication": indication, "crcl_ml_min": crcl_ml_min, "on_dialysis": dialysis},
    )
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    from rich.markup import escape

    from lenaguard.cli.report import citation_text

    kb = default_knowledge()
    out.print(f"[bold]{indication.value}[/], renal band [bold]{result.band.value}[/]")
    out.print(escape(result.reason))
    out.print(f"Status: {result.status.value}; sources: {citation_text(result.citations, kb)}")
    for note in result.notes:
        out.print(escape(f"[{note.severity.value}] {note.summary} {note.detail}"), highlight=False)


# Calculator fields as the options that set them, so an error names what the user typed.
_OPTION_FOR_FIELD = {
    "age_years": "--age",
    "crcl_ml_min": "--crcl",
    "on_dialysis": "--dialysis",
    "creatinine_unit": "--creatinine-unit",
}


def _calculator(compute, data: dict[str, Any]):
    """Run a calculator, reporting its field problems under the command-line option names."""
    try:
        return compute(data, default_knowledge())
    except InputError as exc:
        problems = [
            (_OPTION_FOR_FIELD.get(p.field, f"--{p.field.replace('_', '-')}"), p.message)
            for p in exc.problems
        ]
        raise InputError(problems) from exc


@app.command()
def schema(
    assessment: Annotated[
        bool, typer.Option("--assessment", help="The assessment's schema instead of the case's.")
    ] = False,
) -> None:
    """Print the JSON Schema of the case file (or, with --assessment, of the assessment)."""
    if assessment:
        from lenaguard.assess import Assessment

        _print_json(Assessment.model_json_schema(mode="serialization"))
        return
    from lenaguard.case import Case

    _print_json(Case.model_json_schema())


@knowledge_app.command("check")
def knowledge_check() -> None:
    """Validate every knowledge file and list the rules by evidence status."""
    from lenaguard.cli.report import render_knowledge_check

    render_knowledge_check(out, default_knowledge())


@knowledge_app.command("show")
def knowledge_show(
    topic: Annotated[str, typer.Argument(help="Topic name, e.g. renal, dose_modification.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print a knowledge topic as a table to check against the label."""
    from lenaguard.cli.report import render_topic

    kb = default_knowledge()
    try:
        chosen = kb.topic(topic)
    except KnowledgeError as exc:
        raise InputError([("TOPIC", str(exc))]) from exc
    if as_json:
        _print_json(chosen.model_dump(mode="json"))
    else:
        render_topic(out, chosen, kb)


@fhir_app.command("mapping-table")
def fhir_mapping_table() -> None:
    """Print the FHIR R4 → case mapping as Markdown (docs/fhir-mapping.md is this output)."""
    from lenaguard.interop.fhir.table import mapping_markdown

    sys.stdout.write(mapping_markdown(default_knowledge()))


def _parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError([(option, f"{text!r} is not a date (YYYY-MM-DD)")]) from exc


handout_commands.register(app)
evidence_commands.register(app)
service_commands.register(app)  # after the clinical commands, so they come first in --help


def main() -> None:
    """Console entry point: run the app; an error becomes one line on stderr and an exit code.

    CaseError and InputError exit with 2, KnowledgeError with 3, anything else with 1. Usage
    errors (unknown option, bad choice) are reported by typer itself with exit code 2.
    """
    try:
        app()
    except Exception as exc:  # never show a traceback to a user
        sys.stderr.write(f"error: {_literal(one_line(exc))}\n")
        raise SystemExit(int(exit_code_for(exc))) from None


def _literal(text: object) -> str:
    """Text that may quote the input, printed as written (plain text, not markup) with control
    characters made visible: a case file cannot restyle the terminal."""
    from lenaguard.cli.screen import safe

    return safe(text)


if __name__ == "__main__":
    main()
