"""The `lenaguard ask` answer on a terminal: summary, the two parts, conflicts, references."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from lenaguard.evidence.models import Answer, AnswerSentence

STATUS_NOTE = {
    "secondary": " (rests on a secondary source)",
    "unverified": " (rests on unverified knowledge)",
}


def _line(sentence: AnswerSentence) -> str:
    marks = "".join(f"[{n}]" for n in sentence.citations)
    note = STATUS_NOTE.get(sentence.status.value, "") if sentence.status else ""
    return f"- {escape(sentence.text)} {escape(marks)}{note}"


def render_answer(answer: Answer, console: Console | None = None) -> None:
    console = console or Console()
    console.print(f"[bold]{escape(answer.question)}[/bold]\n")
    console.print(escape(answer.summary))
    if answer.computed:
        console.print("\n[bold]Computed by the rules[/bold]")
        for value in answer.computed:
            console.print(f"- {escape(value.text)} ({value.status.value})")
    if answer.case is not None:
        console.print("\n[bold]For this patient[/bold]")
        console.print(f"- readiness: {answer.case.readiness}; dose: {escape(answer.case.dose)}")
        for action in answer.case.actions:
            console.print(f"- {escape(action)}")
    for title, part in (
        ("From the Guidelines", answer.guidelines),
        ("From the Research", answer.research),
    ):
        if part:
            console.print(f"\n[bold]{title}[/bold]")
            for sentence in part:
                console.print(_line(sentence))
    if answer.conflicts:
        console.print("\n[bold]Conflicts with the knowledge base[/bold]")
        for c in answer.conflicts:
            console.print(
                f"- {escape(c.topic)} ({c.kind}): {escape(c.claim.source)} says "
                f"\u201c{escape(c.claim.text)}\u201d; the knowledge base says "
                f"\u201c{escape(c.knowledge.text)}\u201d ({c.knowledge.status.value})"
            )
    if answer.references:
        console.print("\n[bold]References[/bold]")
        for r in answer.references:
            console.print(
                f"{escape(f'[{r.n}]')} {escape(r.title)} — {escape(r.source)}, {r.kind.value}"
                + (f", {escape(r.locator)}" if r.locator else "")
            )
