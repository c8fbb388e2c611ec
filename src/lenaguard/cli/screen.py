"""The first screen of a report: the decision and what to do, before anything else.

A pharmacist or prescriber reads, in this order: ready or not (each blocker as a sentence with
its action), the dose panel, every critical and warning finding as one line with its action,
what to record next (full field paths), and the next four weeks. Education, REMS details,
methods and sources are behind `--full`. Every user-supplied text goes into `rich.text.Text`
objects (never into markup) and through `safe`, so markup and control characters in a case
file cannot change what the terminal shows.
"""

from __future__ import annotations

import re

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from lenaguard.assess import Action, Assessment
from lenaguard.case import Case
from lenaguard.findings import (
    ChangeDose,
    OrderTest,
    RecordField,
    Remedy,
    SeekCare,
    StartMedication,
    StopMedication,
)
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.rules.base.results import DoseOption, DosePlan
from lenaguard.text import format_number
from lenaguard.vocab import Readiness, Severity

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")

READINESS_WORDS = {
    Readiness.READY: ("READY TO PRESCRIBE", "bold green"),
    Readiness.NOT_READY: ("NOT READY TO PRESCRIBE", "bold red"),
    Readiness.NOT_DETERMINED: ("READINESS NOT DETERMINED", "bold yellow"),
}
SEVERITY_MARK = {Severity.CRITICAL: ("!!", "bold red"), Severity.WARNING: ("! ", "yellow")}


def safe(text: object) -> str:
    """Text from a case file or a rule, with terminal control characters made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def remedy_words(remedy: Remedy | None) -> str | None:
    """The remedy as a short imperative: 'order CBC by 2026-11-25', 'record therapy.x'."""
    match remedy:
        case ChangeDose(dose_mg=dose):
            return "change the dose" if dose is None else f"give {format_number(dose)} mg"
        case OrderTest(test=test, by=by):
            return f"order {test.replace('_', ' ')}" + (f" by {by.isoformat()}" if by else "")
        case StartMedication(medication_class=name):
            return f"start {name.replace('_', ' ')}"
        case StopMedication(name=name):
            return f"stop {name}"
        case RecordField(field=field):
            return f"record {field}"
        case SeekCare(urgency=urgency):
            return f"seek care ({urgency.replace('_', ' ')})"
    return None


def dose_words(plan: DosePlan) -> str:
    """'25 mg once daily, days 1–21 of a 28-day cycle'."""
    text = f"{format_number(plan.dose_mg)} mg" if plan.dose_mg is not None else "dose not set"
    if plan.frequency is not None:
        text += f" {plan.frequency.words}"
    if plan.days_on and plan.cycle_days:
        text += f", days {plan.days_on[0]}–{plan.days_on[1]} of a {plan.cycle_days}-day cycle"
    if plan.after_dialysis:
        text += ", after dialysis on dialysis days"
    return text


def _line(*parts: tuple[str, str] | str) -> Text:
    line = Text()
    for part in parts:
        if isinstance(part, tuple):
            line.append(safe(part[0]), style=part[1])
        else:
            line.append(safe(part))
    return line


def _header(case: Case, assessment: Assessment, kb: KnowledgeBase) -> list[Text]:
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    patient = case.patient
    who = f"{patient.id} — {patient.sex.value}, {case.age_years} y"
    return [
        _line(
            ("lenaguard assessment", "bold"),
            f" for {assessment.as_of.isoformat()}  ·  v{assessment.lenaguard_version}"
            f"  ·  knowledge {assessment.knowledge_version}",
        ),
        _line(
            (who, "bold"),
            f"  ·  {indication.name}  ·  course {assessment.course_status.value.replace('_', ' ')}",
        ),
    ]


def _indented(rows: list[tuple[Text, Text]]) -> Table:
    """Rows of (marker, text) whose text wraps under itself, not under the marker."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=4, no_wrap=True)
    grid.add_column(ratio=1)
    for mark, text in rows:
        grid.add_row(mark, text)
    return grid


def _action_row(action: Action, mark: tuple[str, str]) -> tuple[Text, Text]:
    text = _line(action.text)
    words = remedy_words(action.remedy)
    if words:
        text.append(f"  → {safe(words)}", style="cyan")
    text.append(f"  [{action.finding_id}]", style="dim")
    return Text(f" {mark[0]}", style=mark[1]), text


def _decision(assessment: Assessment) -> list[RenderableType]:
    label, style = READINESS_WORDS[assessment.readiness]
    blockers = [a for a in assessment.actions if a.blocking]
    lines: list[RenderableType] = [Text(""), _line((label, style))]
    if assessment.readiness is Readiness.NOT_DETERMINED and not blockers:
        lines.append(_line(" No dose decision could be made: see what to record below."))
    rows = [_action_row(action, ("✗", "bold red")) for action in blockers]
    ids = {a.finding_id for a in blockers}
    rows += [
        (Text(" ✗", style="bold red"), _line(f"the dose rule {rule} withholds the drug (below)"))
        for rule in assessment.blocking
        if rule not in ids and assessment.dose is not None and assessment.dose.rule == rule
    ]
    if rows:
        lines.append(_indented(rows))
    return lines


def _dose(assessment: Assessment, kb: KnowledgeBase) -> list[RenderableType]:
    plan = assessment.dose
    out: list[RenderableType] = [Text("")]
    if plan is None:
        out.append(_line(("DOSE", "bold"), "  no decision: see the findings for what is needed"))
        return out
    action = plan.action.value.replace("_", " ").upper()
    head = _line(("DOSE", "bold"), "  ", (action, "bold"))
    if plan.dose_mg is not None:
        head.append(f"  {safe(dose_words(plan))}")
    out.append(head)
    lines = [_line(plan.reason)]
    if plan.resume is not None:
        restart = "restart"
        if plan.resume.dose_mg is not None:
            restart = f"{format_number(plan.resume.dose_mg)} mg {plan.resume.frequency.words}"
            if plan.resume.days_on:
                restart += f", days {plan.resume.days_on[0]}–{plan.resume.days_on[1]}"
            restart = f"restart at {restart}"
        # the condition is a clause or whole sentences (a count to reach, then the CBC advice)
        lines.append(_line((restart, "bold"), ", when: ", plan.resume.when))
    for option in plan.options:
        lines.append(_line("option: ", (_option_words(option), "bold"), f" if {option.when}"))
    if plan.record:
        lines.append(_line("record ", (plan.record, "bold cyan"), " to choose"))
    reading = " · lenaguard's own reading" if plan.basis == "lenaguard" else ""
    sources = kb.get(Bibliography).cite_text(plan.citations)
    lines.append(
        _line((f"rule {plan.rule} · status {plan.status.value}{reading} · {sources}", "dim"))
    )
    out.append(_indented([(Text(""), line) for line in lines]))
    renal = assessment.renal
    if renal is not None and renal.crcl_ml_min is not None:
        out.append(
            _line(
                ("RENAL", "bold"),
                f" CrCl {format_number(round(renal.crcl_ml_min, 1))} mL/min (Cockcroft-Gault, "
                f"{renal.weight_policy.value} weight) → {renal.band.value} band",
            )
        )
    elif renal is not None:
        out.append(_line(("RENAL", "bold"), f" {renal.band.value}: {renal.weight_basis}"))
    return out


def _option_words(option: DoseOption) -> str:
    text = f"{format_number(option.dose_mg)} mg {option.frequency.words}"
    if option.days_on:
        text += f", days {option.days_on[0]}–{option.days_on[1]}"
    return text


def _warnings(assessment: Assessment) -> list[RenderableType]:
    others = [a for a in assessment.actions if not a.blocking]
    if not others:
        return []
    rows = [_action_row(a, SEVERITY_MARK[a.severity]) for a in others]
    return [Text(""), _line(("CRITICAL AND WARNINGS", "bold")), _indented(rows)]


def _to_record(assessment: Assessment) -> list[RenderableType]:
    fields: list[str] = []
    if assessment.dose is not None and assessment.dose.record:
        fields.append(assessment.dose.record)
    for finding in assessment.findings:
        if isinstance(finding.remedy, RecordField):
            fields.append(finding.remedy.field)
    fields = list(dict.fromkeys(fields))
    if not fields:
        return []
    return [Text(""), _line(("RECORD NEXT", "bold")), *(_line("  • ", f) for f in fields)]


_TEST_SHORT = {
    "cbc": "CBC",
    "pregnancy_test": "pregnancy test",
    "liver_enzymes": "liver tests",
    "tsh": "TSH",
    "hbsag": "HBsAg",
    "anti_hbc": "anti-HBc",
    "anti_hbs": "anti-HBs",
    "hbv_dna": "HBV DNA",
    "creatinine": "creatinine",
}


def _calendar(assessment: Assessment) -> list[RenderableType]:
    """The next weeks as a grid, one week a row: every row starts on the assessment's weekday,
    so the weekday names head the columns and each cell is short enough for 80 columns."""
    if not assessment.calendar:
        return []
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold", expand=False)
    for day in assessment.calendar[:7]:
        table.add_column(day.date.strftime("%a"), ratio=1, overflow="fold")
    for start in range(0, len(assessment.calendar), 7):
        cells = []
        for day in assessment.calendar[start : start + 7]:
            cell = Text(day.date.strftime("%d %b"), style="bold")
            if day.cycle_day == 1 and day.cycle is not None:
                cell.append(f"\nC{day.cycle}D1", style="bold magenta")
            if day.dose_mg is not None:
                cell.append(f"\n{format_number(day.dose_mg)} mg", style="green")
            else:
                cell.append(f"\n{day.note}", style="dim")
            for test in day.tests_due:
                cell.append(f"\n+{_TEST_SHORT.get(test, test.replace('_', ' '))}", style="cyan")
            cells.append(cell)
        if start:
            table.add_row()  # a blank line between weeks
        table.add_row(*cells)
    return [Text(""), _line(("NEXT 4 WEEKS", "bold")), table]


def first_screen(case: Case, assessment: Assessment, kb: KnowledgeBase) -> Group:
    """The first screen as one renderable (the CLI prints it, tests measure it)."""
    lines: list[RenderableType] = [
        *_header(case, assessment, kb),
        *_decision(assessment),
        *_dose(assessment, kb),
        *_warnings(assessment),
        *_to_record(assessment),
        *_calendar(assessment),
        Text(""),
        Text(
            "lenaguard assess CASE --full: monitoring, scores, response, every finding with its "
            "sources.",
            style="dim",
        ),
    ]
    return Group(*lines)


def render_first_screen(
    console: Console, case: Case, assessment: Assessment, kb: KnowledgeBase
) -> None:
    """Print the first screen."""
    console.print(first_screen(case, assessment, kb))
