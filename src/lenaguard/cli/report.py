"""Rich terminal rendering of assessments and knowledge topics (presentation only)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lenaguard.assess import Assessment
from lenaguard.case import Case
from lenaguard.cli.screen import safe
from lenaguard.knowledge import Citation, Cited, KnowledgeBase, Status, Topic
from lenaguard.knowledge.statements import PROSE_FIELDS, words
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.rules.dose.renal import crcl_words
from lenaguard.text import format_number
from lenaguard.vocab import Category

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {
    Status.LABEL: "green",
    Status.LABEL_OLD: "green",
    Status.SECONDARY: "blue",
    Status.UNVERIFIED: "magenta",
}


def citation_text(citations: list[Citation], kb: KnowledgeBase) -> str:
    """Citations as a reader sees them: 'USPI §2.1; IMWG 2008 …'."""
    return kb.get(Bibliography).cite_text(citations)


def _e(text: object) -> str:
    """Case or rule text made safe inside markup: control characters shown, markup escaped."""
    return escape(safe(text))


def _status(status: Status) -> Text:
    return Text(status.value, style=STATUS_STYLE[status])


def _header(case: Case, assessment: Assessment, kb: KnowledgeBase) -> Panel:
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    patient = case.patient
    body = [
        f"[bold]{_e(patient.id)}[/] — {patient.sex.value}, {case.age_years} y",
        f"weight {format_number(case.weight_kg)} kg" if case.weight_kg else "weight not given",
        f"height {format_number(case.height_cm)} cm" if case.height_cm else "height not given",
    ]
    if patient.on_dialysis:
        body.append("on dialysis")
    lines = [
        ", ".join(body),
        f"Indication: {indication.name} ({case.indication.value})",
        f"Assessment date: {assessment.as_of.isoformat()} — course {assessment.course_status.value}",
    ]
    if assessment.rems_category_name:
        lines.append(f"REMS risk category: {_e(assessment.rems_category_name)}")
    if assessment.hbv:
        lines.append(f"Hepatitis B: {_e(assessment.hbv.summary)}")
    return Panel("\n".join(lines), title="lenaguard assessment", expand=False)


def _readiness(assessment: Assessment) -> Panel:
    if assessment.ready_to_prescribe:
        return Panel("[bold green]Ready to prescribe[/]: no blocking finding.", expand=False)
    blocking = "\n".join(f"• {_e(item)}" for item in assessment.blocking)
    return Panel(f"[bold red]Not ready to prescribe[/] — blocked by:\n{blocking}", expand=False)


def _dose(assessment: Assessment, kb: KnowledgeBase) -> Panel:
    plan = assessment.dose
    if plan is None:
        text = "No dose decision could be made; see the findings for what is needed."
        if assessment.verified_only and any(o.kind == "dose" for o in assessment.omitted):
            text = (
                "The dose decision rests on an unverified rule and was left out (--verified-only)."
            )
        return Panel(text, title="Dose", expand=False)
    lines = [f"[bold]{plan.action.value.upper()}[/]"]
    if plan.dose_mg is not None:
        schedule = ""
        if plan.days_on and plan.cycle_days:
            schedule = (
                f", days {plan.days_on[0]}–{plan.days_on[1]} of a {plan.cycle_days}-day cycle"
            )
        frequency = plan.frequency.words if plan.frequency else ""
        lines[0] += f" {format_number(plan.dose_mg)} mg {frequency}{schedule}"
        if plan.after_dialysis:
            lines[0] += ", after dialysis on dialysis days"
    if plan.resume is not None:
        lines.append(f"Resume when: {_e(plan.resume.when)}")
        if plan.resume.dose_mg is not None:
            days = ""
            if plan.resume.days_on:
                days = f", days {plan.resume.days_on[0]}–{plan.resume.days_on[1]}"
            lines.append(
                f"Restart at: [bold]{format_number(plan.resume.dose_mg)} mg "
                f"{plan.resume.frequency.words}{days}[/]"
            )
    lines.append(_e(plan.reason))
    lines.append(
        f"[dim]rule {plan.rule} · status[/] {plan.status.value} [dim]· {citation_text(plan.citations, kb)}[/]"
    )
    return Panel("\n".join(lines), title="Dose", expand=False)


def _renal(assessment: Assessment, kb: KnowledgeBase) -> Panel | None:
    renal = assessment.renal
    if renal is None:
        return None
    crcl = (
        "—" if renal.crcl_ml_min is None else crcl_words(renal.crcl_ml_min, kb.get(RenalKnowledge))
    )
    text = (
        f"CrCl (Cockcroft-Gault) {crcl} → band [bold]{renal.band.value}[/]\n"
        f"Weight: {_e(renal.weight_basis)}"
    )
    if renal.creatinine_mg_dl is not None and renal.creatinine_date is not None:
        text += (
            f"\nCreatinine {format_number(round(renal.creatinine_mg_dl, 2))} mg/dL "
            f"on {renal.creatinine_date.isoformat()}"
        )
    return Panel(text, title="Renal function", expand=False)


def _calendar(assessment: Assessment) -> Table | None:
    if not assessment.calendar:
        return None
    table = Table(title="Next 4 weeks", show_lines=False)
    for column in ("week of", "days"):
        table.add_column(column)
    week: list[str] = []
    start = assessment.calendar[0].date
    for index, day in enumerate(assessment.calendar):
        if index and index % 7 == 0:
            table.add_row(start.isoformat(), "  ".join(week))
            week, start = [], day.date
        label = f"{day.date.strftime('%a %d')}: "
        if day.dose_mg is not None:
            label += f"[green]{format_number(day.dose_mg)} mg[/]"
        else:
            label += f"[dim]{day.note}[/]"
        if day.cycle is not None and day.cycle_day == 1:
            label = f"[bold]C{day.cycle}D1[/] " + label
        if day.tests_due:
            label += " [magenta]+" + "+".join(test.upper() for test in day.tests_due) + "[/]"
        week.append(label)
    if week:
        table.add_row(start.isoformat(), "  ".join(week))
    return table


def _monitoring(assessment: Assessment) -> Table | None:
    if not assessment.monitoring:
        return None
    table = Table(title="Monitoring")
    for column in ("test", "due", "reason", "status"):
        table.add_column(column)
    for item in assessment.monitoring:
        table.add_row(item.test, item.due.isoformat(), item.reason, _status(item.status))
    return table


def _scores(assessment: Assessment) -> Table | None:
    if assessment.scores is None:
        return None
    table = Table(title="VTE risk scores")
    for column in ("score", "points", "band", "items present"):
        table.add_column(column)
    for name, score in (
        ("impede_vte", assessment.scores.impede_vte),
        ("saved", assessment.scores.saved),
    ):
        present = [
            f"{_e(item.label)} ({item.points:+d})" for item in score.items if item.present is True
        ]
        table.add_row(name, str(score.points), str(score.band), ", ".join(present))
    return table


def _response(assessment: Assessment) -> Panel | None:
    lines = []
    imwg = assessment.response.imwg
    if imwg is not None and imwg.category is not None:
        when = imwg.date.isoformat() if imwg.date else "no date"
        lines.append(f"IMWG response: [bold]{imwg.category.value}[/] ({when})")
        lines += [f"  • {_e(basis)}" for basis in imwg.basis]
    for item in assessment.response.immunoglobulins:
        verdict = "improved" if item.improved else "not improved"
        lines.append(f"{item.immunoglobulin.value.upper()}: {verdict}")
    mds = assessment.response.mds
    if mds is not None and mds.transfusion_independent is not None:
        answer = "yes" if mds.transfusion_independent else "no"
        lines.append(f"RBC transfusion independence: {answer}")
    if not lines:
        return None
    return Panel("\n".join(lines), title="Response", expand=False)


# Report sections, in reading order: what decides the dose, then each safety screen.
FINDING_SECTIONS: list[tuple[str, tuple[Category, ...]]] = [
    ("Urgent: symptoms", (Category.SYMPTOM,)),
    ("Dose, toxicity and kidneys", (Category.DOSING, Category.TOXICITY, Category.RENAL)),
    ("Pregnancy prevention and REMS", (Category.PREGNANCY,)),
    ("Infections and hepatitis B", (Category.INFECTION,)),
    ("Thrombosis", (Category.THROMBOSIS,)),
    ("Interactions", (Category.INTERACTION,)),
    ("Response", (Category.RESPONSE,)),
    ("Monitoring and schedule", (Category.MONITORING, Category.SCHEDULE)),
    ("Missing or questionable input", (Category.INPUT,)),
]


def _findings(assessment: Assessment, kb: KnowledgeBase) -> list[Table]:
    """One table per section; findings keep the assessment's order (critical first)."""
    tables = []
    for title, categories in FINDING_SECTIONS:
        chosen = [f for f in assessment.findings if f.category in categories]
        if not chosen:
            continue
        counts = Counter(f.severity.value for f in chosen)
        tally = ", ".join(f"{counts[s]} {s}" for s in ("critical", "warning", "info") if counts[s])
        table = Table(title=f"{title} ({tally})", show_lines=True, title_justify="left")
        for column in ("severity", "finding", "status", "sources"):
            table.add_column(column)
        for finding in chosen:
            table.add_row(
                Text(finding.severity.value, style=SEVERITY_STYLE[finding.severity.value]),
                Text.assemble((safe(finding.summary), "bold"), "\n", safe(finding.detail)),
                _status(finding.status),
                citation_text(finding.citations, kb),
            )
        tables.append(table)
    return tables


def _omitted(assessment: Assessment) -> Panel | None:
    if not assessment.verified_only:
        return None
    if not assessment.omitted:
        return Panel("--verified-only: nothing rested on an unverified rule.", expand=False)
    lines = [f"• \\[{o.kind}] {_e(o.id)}: {_e(o.summary)}" for o in assessment.omitted]
    return Panel(
        "\n".join(lines),
        title=f"Left out by --verified-only ({len(assessment.omitted)} unverified)",
        expand=False,
    )


def render_assessment(
    console: Console, case: Case, assessment: Assessment, kb: KnowledgeBase
) -> None:
    """Print the whole assessment report."""
    parts = [
        _header(case, assessment, kb),
        _readiness(assessment),
        _dose(assessment, kb),
        _renal(assessment, kb),
        _calendar(assessment),
        _monitoring(assessment),
        _scores(assessment),
        _response(assessment),
        *_findings(assessment, kb),
        _omitted(assessment),
    ]
    console.print(Group(*(part for part in parts if part is not None)))


def render_knowledge_check(console: Console, kb: KnowledgeBase) -> None:
    """Summarise the validated knowledge base by topic and status; list unverified rules."""
    table = Table(title="Knowledge base: valid")
    table.add_column("topic")
    for status in Status:
        table.add_column(status.value, justify="right")
    totals: Counter[Status] = Counter()
    unverified: list[str] = []
    for name, topic in sorted(kb.topics.items()):
        counts = Counter(entry.status for _, entry in topic.cited_entries())
        totals.update(counts)
        table.add_row(name, *(str(counts.get(status, 0)) for status in Status))
        unverified += [
            path for path, entry in topic.cited_entries() if entry.status is Status.UNVERIFIED
        ]
    table.add_row("[bold]all[/]", *(f"[bold]{totals.get(status, 0)}[/]" for status in Status))
    console.print(table)
    console.print(f"{len(unverified)} unverified entries (left out by --verified-only):")
    for path in unverified:
        console.print(f"  {path}", highlight=False)


def _entry_fields(entry: Cited) -> str:
    dumped = entry.model_dump(mode="json", exclude_none=True)
    shown = []
    for name in type(entry).model_fields:
        if name in ("status", "cite") or name not in dumped:
            continue
        value = getattr(entry, name)
        if isinstance(value, Cited) or value == [] or value == {}:
            continue
        if isinstance(value, list) and value and isinstance(value[0], Cited):
            continue
        if isinstance(value, dict) and value and isinstance(next(iter(value.values())), Cited):
            continue
        if name in PROSE_FIELDS and isinstance(value, str):
            shown.append(f"{name}: {words(entry, name)}")
        else:
            shown.append(f"{name}: {dumped[name]}")
    return "\n".join(shown)


def render_topic(console: Console, topic: Topic, kb: KnowledgeBase) -> None:
    """Print every cited entry of a topic with its values, status and sources."""
    table = Table(title=f"{topic.topic} — {topic.title}", show_lines=True)
    for column in ("entry", "values", "status", "sources"):
        table.add_column(column)
    for path, entry in topic.cited_entries():
        table.add_row(
            path.removeprefix(f"{topic.topic}."),
            _entry_fields(entry),
            _status(entry.status),
            citation_text(entry.cite, kb),
        )
    console.print(table)
