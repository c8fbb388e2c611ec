"""The `lenaguard` command line: assess a case, quick calculators, the knowledge base, the schema.

Exit codes: 0 success; 2 invalid input (the message names the field); 3 the knowledge base is
broken; 1 an unexpected internal error (reported in one line, never as a traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lenaguard.caseio import CaseError, load_case
from lenaguard.knowledge import KnowledgeError, default_knowledge
from lenaguard.vocab import Indication, Sex, WeightPolicy

app = typer.Typer(
    name="lenaguard",
    help="Lenalidomide (Revlimid) therapy safety: cited dosing, safety screens and response.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
knowledge_app = typer.Typer(help="Check and show the cited knowledge base.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")

out = Console()
err = Console(stderr=True)

EXIT_INVALID_INPUT = 2
EXIT_KNOWLEDGE = 3


class CreatinineUnit(StrEnum):
    MG_DL = "mg/dL"
    UMOL_L = "umol/L"


class InputError(Exception):
    """Invalid command-line input; the message names the option."""


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@app.command()
def assess(
    case_file: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).", metavar="CASE")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    verified_only: Annotated[
        bool, typer.Option("--verified-only", help="Leave out rules whose status is unverified.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Assessment date YYYY-MM-DD when the file has no as_of.")
    ] = None,
) -> None:
    """Assess a case: dose, renal function, safety screens, monitoring and response."""
    from lenaguard.assess import assess as run_assessment
    from lenaguard.cli.report import render_assessment

    today = _parse_date(as_of, "--as-of") if as_of else dt.date.today()
    case = load_case(case_file, today=today)
    kb = default_knowledge()
    assessment = run_assessment(case, kb, verified_only=verified_only)
    if as_json:
        _print_json(assessment.to_json_dict())
    else:
        render_assessment(out, case, assessment, kb)


@app.command()
def crcl(
    sex: Annotated[Sex, typer.Option(help="female or male.")],
    age: Annotated[int, typer.Option(help="Age in years (18 or more).")],
    weight_kg: Annotated[float, typer.Option(help="Actual body weight in kg.")],
    creatinine: Annotated[float, typer.Option(help="Serum creatinine.")],
    creatinine_unit: Annotated[CreatinineUnit, typer.Option()] = CreatinineUnit.MG_DL,
    height_cm: Annotated[
        float | None, typer.Option(help="Height; needed for ideal, adjusted and bmi_rule.")
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
        float | None, typer.Option("--crcl", help="Creatinine clearance in mL/min.")
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
    from lenaguard.errors import InputError as CalculatorInputError

    try:
        return compute(data, default_knowledge())
    except CalculatorInputError as exc:
        problems = [
            (_OPTION_FOR_FIELD.get(p.field, f"--{p.field.replace('_', '-')}"), p.message)
            for p in exc.problems
        ]
        raise InputError("; ".join(f"{field}: {message}" for field, message in problems)) from exc


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
        raise InputError(f"TOPIC: {exc}") from exc
    if as_json:
        _print_json(chosen.model_dump(mode="json"))
    else:
        render_topic(out, chosen, kb)


def _parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from exc


def main() -> None:
    """Console entry point: run the app, turning errors into messages and exit codes.

    Usage errors (unknown option, bad choice) are reported by typer itself with exit code 2.
    """
    try:
        app()
    except (CaseError, InputError) as exc:  # messages quote the input: print them as text
        err.print(f"[red]error[/]: {_literal(exc)}", highlight=False)
        raise SystemExit(EXIT_INVALID_INPUT) from None
    except KnowledgeError as exc:
        err.print(f"[red]knowledge base error[/]: {_literal(exc)}", highlight=False)
        raise SystemExit(EXIT_KNOWLEDGE) from None
    except Exception as exc:  # never show a traceback to a user
        message = _literal(f"{type(exc).__name__}: {exc}")
        err.print(f"[red]internal error[/]: {message}", highlight=False)
        raise SystemExit(1) from None


def _literal(text: object) -> str:
    """Text that may quote the input, printed as written: markup escaped, control characters
    made visible (a case file cannot restyle the terminal or break rich with a bad tag)."""
    from rich.markup import escape

    from lenaguard.cli.screen import safe

    return escape(safe(text))


if __name__ == "__main__":
    main()
