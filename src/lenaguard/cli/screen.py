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

from rich.console import Console, Group
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
from lenaguard.rules.base.results import DosePlan
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
            f" for {assessment.as_of.isoformat()}  ·  lenaguard {assessment.lenaguard_version}"
            f"  ·  knowledge {assessment.knowledge_version}",
        ),
        _line(
            (who, "bold"),
            f"  ·  {indication.name}  ·  course {assessment.course_status.value.replace('_', ' ')}",
        ),
    ]


def _action_line(action: Action, mark: tuple[str, str]) -> Text:
    line = _line((f" {mark[0]} ", mark[1]), action.text)
    words = remedy_words(action.remedy)
    if words:
        line.append(f"  → {safe(words)}", style="cyan")
    line.append(f"  [{action.finding_id}]", style="dim")
    return line


def _decision(assessment: Assessment) -> list[Text]:
    label, style = READINESS_WORDS[assessment.readiness]
    blockers = [a for a in assessment.actions if a.blocking]
    lines = [Text(""), _line((label, style))]
    if assessment.readiness is Readiness.NOT_DETERMINED and not blockers:
        lines.append(_line(" No dose decision could be made: see what to record below."))
    lines += [_action_line(action, ("✗ ", "bold red")) for action in blockers]
    ids = {a.finding_id for a in blockers}
    lines += [
        _line(" ✗ ", f"the dose rule {rule} withholds the drug (see the dose below)")
        for rule in assessment.blocking
        if rule not in ids and assessment.dose is not None and assessment.dose.rule == rule
    ]
    return lines


def _dose(assessment: Assessment, kb: KnowledgeBase) -> list[Text]:
    plan = assessment.dose
    lines = [Text("")]
    if plan is None:
        lines.append(_line(("DOSE", "bold"), "  no decision: see the findings for what is needed"))
        return lines
    action = plan.action.value.replace("_", " ").upper()
    head = _line(("DOSE", "bold"), "  ", (action, "bold"))
    if plan.dose_mg is not None:
        head.append(f"  {safe(dose_words(plan))}")
    lines.append(head)
    lines.append(_line("      ", plan.reason))
    if plan.resume is not None:
        restart = ""
        if plan.resume.dose_mg is not None:
            restart = f"{format_number(plan.resume.dose_mg)} mg {plan.resume.frequency.words}"
            if plan.resume.days_on:
                restart += f", days {plan.resume.days_on[0]}–{plan.resume.days_on[1]}"
            restart = f"restart at {restart} "
        lines.append(_line("      ", (restart, "bold"), f"when {plan.resume.when}"))
    for option in plan.options:
        lines.append(
            _line("      option: ", (dose_words(option), "bold"), f" if {option.when}")  # type: ignore[arg-type]
        )
    if plan.record:
        lines.append(_line("      record ", (plan.record, "bold cyan"), " to choose"))
    reading = " · lenaguard's own reading" if plan.basis == "lenaguard" else ""
    sources = kb.get(Bibliography).cite_text(plan.citations)
    lines.append(
        _line((f"      rule {plan.rule} · status {plan.status.value}{reading} · {sources}", "dim"))
    )
    renal = assessment.renal
    if renal is not None and renal.crcl_ml_min is not None:
        lines.append(
            _line(
                ("RENAL", "bold"),
                f" CrCl {format_number(round(renal.crcl_ml_min, 1))} mL/min (Cockcroft-Gault, "
                f"{renal.weight_policy.value} weight) → {renal.band.value} band",
            )
        )
    elif renal is not None:
        lines.append(_line(("RENAL", "bold"), f" {renal.band.value}: {renal.weight_basis}"))
    return lines


def _warnings(assessment: Assessment) -> list[Text]:
    others = [a for a in assessment.actions if not a.blocking]
    if not others:
        return []
    lines = [Text(""), _line(("CRITICAL AND WARNINGS", "bold"))]
    lines += [_action_line(a, SEVERITY_MARK[a.severity]) for a in others]
    return lines


def _to_record(assessment: Assessment) -> list[Text]:
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


def _calendar(assessment: Assessment) -> list[Text]:
    if not assessment.calendar:
        return []
    lines = [Text(""), _line(("NEXT 4 WEEKS", "bold"))]
    for start in range(0, len(assessment.calendar), 7):
        week = assessment.calendar[start : start + 7]
        line = Text(f"  {week[0].date.strftime('%d %b')}  ", style="dim")
        for day in week:
            if day.dose_mg is not None:
                cell, style = f"{format_number(day.dose_mg)}mg", "green"
            else:
                cell, style = (
                    {"rest": "rest", "held": "held", "stopped": "stop"}.get(day.note, "—"),
                    "dim",
                )
            if day.cycle_day == 1 and day.cycle is not None:
                cell = f"C{day.cycle}D1 {cell}"
            if day.tests_due:
                cell += "+" + "+".join(t.upper().replace("_TEST", "") for t in day.tests_due)
            line.append(f"{day.date.strftime('%a')} ", style="bold")
            line.append(f"{cell:<11}", style=style)
        lines.append(line)
    return lines


def first_screen(case: Case, assessment: Assessment, kb: KnowledgeBase) -> Group:
    """The first screen as one renderable (the CLI prints it, tests measure it)."""
    lines = [
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
