"""The assessment page's charts: counts, response markers and kidney function over time.

Each chart is drawn on the server by pygal as an SVG image (no script: `js=[]`, and the config
script pygal always writes is removed), embedded as a `data:` URL so that it prints and needs
nothing from outside. A chart never stands alone: its caption states the thresholds and events
in words and a data table gives every value, so a reader who cannot see the image loses nothing.

Nothing clinical is decided here. The values come from the case (its lab series, in their
canonical units, and its treatment timeline); the thresholds from the knowledge base (the
dose-modification rows of the patient's indication, the renal band edges); the response
category and nadir from the Assessment. A chart is drawn only when the case has its data.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pygal
from pygal.style import Style

from lenaguard.assess import Assessment
from lenaguard.case import Case, LabResult
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.dose.renal import calculate_crcl
from lenaguard.vocab import EventKind, LabTest, RenalBand

__all__ = ["Chart", "Threshold", "charts_for", "count_thresholds"]

# Colours with at least 4.5:1 contrast on white; lines differ by dash too, never colour only.
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#6b7785",
    opacity="1",
    opacity_hover="1",
    colors=("#0b5cad", "#a4161a", "#17603a", "#7a4b00", "#5b2a86", "#1b1f24", "#4a5560"),
    font_family="system-ui, 'Liberation Sans', Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_label_font_size=12,
)
_DASHED = {"width": 3, "dasharray": "10, 6"}
_DOTTED = {"width": 3, "dasharray": "3, 5"}
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)
_LABEL = {
    LabTest.ANC: "ANC",
    LabTest.PLATELETS: "Platelets",
    LabTest.SERUM_M_PROTEIN: "Serum M-protein",
    LabTest.KAPPA_FLC: "Kappa free light chain",
    LabTest.LAMBDA_FLC: "Lambda free light chain",
    LabTest.CREATININE: "Creatinine",
}


@dataclass(frozen=True)
class Threshold:
    """A horizontal line on a chart: a value from the knowledge base, what it means, its source."""

    value: float
    meaning: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Chart:
    """One chart: the SVG image, its alternative text, its caption sentences and its data."""

    id: str
    title: str
    svg: bytes
    alt: str
    caption: list[str]
    columns: list[str]
    rows: list[list[str]]
    thresholds: list[Threshold] = field(default_factory=list)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _number(value: float) -> str:
    """A value as people read it: thousands separated, no trailing zeros."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _unit(kb: KnowledgeBase, test: LabTest) -> str:
    return kb.get(LabsKnowledge).tests[test].canonical_unit or ""


def _points(case: Case, test: LabTest) -> list[tuple[dt.date, float, LabResult]]:
    return [
        (lab.date, lab.canonical_value, lab)
        for lab in case.series(test)
        if lab.canonical_value is not None
    ]


def _render(chart: pygal.graph.graph.Graph) -> bytes:
    return _SCRIPT.sub(b"", chart.render())


def _line_chart(title: str, unit: str, *, secondary: bool = False) -> pygal.DateLine:
    return pygal.DateLine(
        js=[],
        style=_STYLE,
        width=860,
        height=380,
        title=title,
        y_title=unit,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        truncate_legend=-1,
        x_value_formatter=lambda day: day.isoformat(),
        x_label_rotation=30,
        dots_size=4,
        print_labels=True,
        show_minor_x_labels=True,
        include_x_axis=not secondary,
        margin=16,
    )


def _span(days: Iterable[dt.date], as_of: dt.date) -> tuple[dt.date, dt.date]:
    found = sorted(days)
    first = found[0] if found else as_of
    last = max(found[-1] if found else as_of, as_of)
    if first == last:
        first = first - dt.timedelta(days=1)
    return first, last


def _event_words(case: Case) -> list[tuple[dt.date, str]]:
    """The treatment timeline in words (start, hold, resume, dose change, stop)."""
    if case.therapy is None:
        return []
    words = []
    for event in case.therapy.events:
        text = event.event.value.replace("_", " ")
        if event.dose_mg is not None:
            text += f" {_number(event.dose_mg)} mg"
        if event.event is EventKind.HOLD and event.reason is not None:
            text += f" ({event.reason.value.replace('_', ' ')})"
        words.append((event.date, text))
    return words


def count_thresholds(kb: KnowledgeBase, case: Case, test: LabTest) -> list[Threshold]:
    """The interrupt and restart counts of the patient's indication for `test` (ANC or
    platelets), from the knowledge base's dose-modification rows, one line per distinct value."""
    table = kb.get(DoseModificationKnowledge).table(case.indication)
    unit = _unit(kb, test)
    meanings: dict[float, list[str]] = {}
    sources: dict[float, list[Citation]] = {}
    for row in table.rows_for(test):
        for trigger in row.triggers:
            if trigger.below is None:
                continue
            words = f"interrupt below {_number(trigger.below)} {unit}"
            if trigger.with_fever:
                words += " with fever"
            if trigger.with_platelet_transfusion:
                words += " with platelet transfusions"
            if trigger.for_at_least_days:
                words += f" for {trigger.for_at_least_days} days or more"
            meanings.setdefault(trigger.below, []).append(words)
            sources.setdefault(trigger.below, []).extend(row.cite)
        words = f"restart at {_number(row.resume_at_least)} {unit} or more"
        meanings.setdefault(row.resume_at_least, []).append(words)
        sources.setdefault(row.resume_at_least, []).extend(row.cite)
    return [
        Threshold(
            value=value,
            meaning="; ".join(dict.fromkeys(meanings[value])),
            citations=tuple(dict.fromkeys(sources[value])),
        )
        for value in sorted(meanings)
    ]


def _count_chart(case: Case, kb: KnowledgeBase, test: LabTest) -> Chart | None:
    points = _points(case, test)
    if not points:
        return None
    unit = _unit(kb, test)
    label = _LABEL[test]
    thresholds = count_thresholds(kb, case, test)
    events = _event_words(case)
    first, last = _span([p[0] for p in points] + [e[0] for e in events], case.as_of)
    top = max([p[1] for p in points] + [t.value for t in thresholds]) * 1.12

    chart = _line_chart(f"{label} over time ({unit})", unit)
    chart.add(label, [(day, value) for day, value, _lab in points])
    for threshold in thresholds:
        chart.add(
            f"{_number(threshold.value)} {unit}: {threshold.meaning}",
            [(first, threshold.value), (last, threshold.value)],
            stroke_style=_DASHED,
            show_dots=False,
            print_labels=False,
        )
    if events:
        chart.add(
            "Treatment events (labelled)",
            [{"value": (day, top), "label": words} for day, words in events],
            stroke=False,
            dots_size=6,
        )
    sentences = [
        f"{label} results of this case ({len(points)}), latest {_number(points[-1][1])} {unit} "
        f"on {points[-1][0].isoformat()}."
    ]
    if thresholds:
        sections = sorted({c.section for t in thresholds for c in t.citations})
        sentences.append(
            f"Dashed lines: the label's thresholds for {case.indication.value} "
            f"({', '.join(sections)}): "
            + "; ".join(f"{_number(t.value)} {unit}: {t.meaning}" for t in thresholds)
            + "."
        )
    if events:
        sentences.append(
            "Treatment events (top row): "
            + "; ".join(f"{day.isoformat()} {words}" for day, words in events)
            + "."
        )
    return Chart(
        id=f"chart-{test.value}",
        title=f"{label} over time",
        svg=_render(chart),
        alt=f"Line chart of {label} over time with the label's thresholds; "
        "the caption and the table below give every value.",
        caption=sentences,
        columns=["Date", f"{label} ({unit})", "As written"],
        rows=[
            [day.isoformat(), _number(value), f"{_number(lab.value or 0)} {lab.unit or ''}"]
            for day, value, lab in points
        ],
        thresholds=thresholds,
    )


def _response_charts(case: Case, kb: KnowledgeBase, assessment: Assessment) -> list[Chart]:
    imwg = assessment.response.imwg
    category = "not assessable"
    if imwg is not None and imwg.category is not None:
        category = imwg.category.value + (" (confirmed)" if imwg.confirmed else "")
    found: list[Chart] = []
    for tests, key, name in (
        ((LabTest.SERUM_M_PROTEIN,), "serum_m_protein", "Serum M-protein"),
        ((LabTest.KAPPA_FLC, LabTest.LAMBDA_FLC), "dflc", "Free light chains"),
    ):
        series = {test: _points(case, test) for test in tests}
        if not any(series.values()):
            continue
        unit = _unit(kb, tests[0])
        chart = _line_chart(f"{name} ({unit})", unit)
        for test, points in series.items():
            if points:
                chart.add(_LABEL[test], [(day, value) for day, value, _lab in points])
        sentences = [f"IMWG response on {assessment.as_of.isoformat()}: {category}."]
        nadir = imwg.nadir.get(key) if imwg is not None else None  # type: ignore[call-overload]
        baseline = imwg.baseline.get(key) if imwg is not None else None  # type: ignore[call-overload]
        every = [p for points in series.values() for p in points]
        first, last = _span([p[0] for p in every], case.as_of)
        if baseline is not None:
            sentences.append(
                f"Baseline {_number(baseline.value)} {baseline.unit} on "
                f"{baseline.date.isoformat()}."
            )
        if nadir is not None:
            sentences.append(
                f"Nadir (lowest confirmed value, dashed line) {_number(nadir.value)} "
                f"{nadir.unit} on {nadir.date.isoformat()}."
            )
            if nadir.unit == unit:
                chart.add(
                    f"Nadir {_number(nadir.value)} {nadir.unit} ({nadir.date.isoformat()})",
                    [(first, nadir.value), (last, nadir.value)],
                    stroke_style=_DASHED,
                    show_dots=False,
                    print_labels=False,
                )
        if imwg is not None and imwg.basis:
            sentences.append("What decided it: " + "; ".join(imwg.basis) + ".")
        rows = [
            [day.isoformat(), _LABEL[test], _number(value), f"{_number(lab.value or 0)} {lab.unit}"]
            for test, points in series.items()
            for day, value, lab in points
        ]
        found.append(
            Chart(
                id=f"chart-{key.replace('_', '-')}",
                title=name,
                svg=_render(chart),
                alt=f"Line chart of {name.lower()} over time; the caption and the table below "
                "give every value.",
                caption=sentences,
                columns=["Date", "Test", f"Value ({unit})", "As written"],
                rows=sorted(rows),
            )
        )
    return found


def _renal_chart(case: Case, kb: KnowledgeBase, assessment: Assessment) -> Chart | None:
    points = _points(case, LabTest.CREATININE)
    renal = assessment.renal
    if not points or renal is None:
        return None
    unit = _unit(kb, LabTest.CREATININE)
    bands = kb.get(RenalKnowledge).bands
    edges = [
        Threshold(bands.normal.from_ml_min, bands.normal.meaning, tuple(bands.normal.cite)),
        Threshold(bands.moderate.from_ml_min, bands.moderate.meaning, tuple(bands.moderate.cite)),
    ]
    clearance: list[tuple[dt.date, float]] = []
    weight = renal.weight_kg_used
    if renal.band is not RenalBand.DIALYSIS and weight is not None:
        for day, value, _lab in points:
            try:
                result = calculate_crcl(
                    case.patient.sex, case.age_years, weight, None, value, unit, "actual", kb
                )
            except ValueError:
                continue
            clearance.append((day, result.crcl_ml_min))
    chart = _line_chart("Creatinine clearance and creatinine", "mL/min")
    first, last = _span([p[0] for p in points], case.as_of)
    if clearance:
        chart.add("CrCl, Cockcroft-Gault (mL/min)", clearance)
        for edge, style in zip(edges, (_DASHED, _DOTTED), strict=True):
            chart.add(
                f"{_number(edge.value)} mL/min: band edge ({edge.meaning} from here up)",
                [(first, edge.value), (last, edge.value)],
                stroke_style=style,
                show_dots=False,
                print_labels=False,
            )
    chart.add(
        f"Creatinine ({unit}, right axis)",
        [(day, value) for day, value, _lab in points],
        secondary=True,
    )
    sentences = [
        f"Creatinine results of this case ({len(points)}), latest {_number(points[-1][1])} "
        f"{unit} on {points[-1][0].isoformat()} (right axis)."
    ]
    if renal.crcl_ml_min is not None:
        sentences.append(
            f"Creatinine clearance on the assessment: {_number(renal.crcl_ml_min)} mL/min "
            f"({renal.band.value} band; {renal.weight_basis})."
        )
    else:
        sentences.append(f"Renal band: {renal.band.value}; no creatinine clearance is used.")
    if clearance:
        sentences.append(
            "Each earlier point uses the same weight and the age on the assessment date."
        )
        sentences.append(
            f"Band edges ({', '.join(sorted({c.section for e in edges for c in e.citations}))}): "
            + "; ".join(f"from {_number(e.value)} mL/min: {e.meaning}" for e in edges)
            + f"; below {_number(edges[-1].value)} mL/min: {bands.severe.meaning}."
        )
    by_day = dict(clearance)
    return Chart(
        id="chart-renal",
        title="Kidney function",
        svg=_render(chart),
        alt="Line chart of creatinine clearance and creatinine over time with the renal band "
        "edges; the caption and the table below give every value.",
        caption=sentences,
        columns=["Date", f"Creatinine ({unit})", "CrCl (mL/min)"],
        rows=[
            [
                day.isoformat(),
                _number(value),
                _number(by_day[day]) if day in by_day else "—",
            ]
            for day, value, _lab in points
        ],
        thresholds=edges if clearance else [],
    )


def charts_for(case: Case, assessment: Assessment, kb: KnowledgeBase) -> list[Chart]:
    """Every chart this case has the data for, in reading order."""
    found: list[Chart | None] = [
        _count_chart(case, kb, LabTest.ANC),
        _count_chart(case, kb, LabTest.PLATELETS),
        *_response_charts(case, kb, assessment),
        _renal_chart(case, kb, assessment),
    ]
    return [chart for chart in found if chart is not None]
