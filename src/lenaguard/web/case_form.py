"""The case workbench's form: its fields, the case file they make, and errors put back on them.

The form is flat HTML (`patient_id`, `labs-3-value`, `cond-vte_history`, …) so that it works
without a script: the page offers a few empty rows of each table, and `assess.js` only adds
rows. `build_case` turns the posted fields into case-file data (the same mapping a YAML file
gives, in the case file's own order); empty rows are left out and every value is passed on as
typed, so the core's validation — not this module — decides what is allowed and names the
field. `field_for` maps those names (`labs.2.value`, counted over the rows that were sent)
back to the input that holds the value, so the error can stand next to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from lenaguard.case import Conditions
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.vocab import (
    Ethnicity,
    EventKind,
    Frequency,
    HoldReason,
    Indication,
    LabTest,
    QualitativeResult,
    Sex,
    Symptom,
)

__all__ = [
    "CONDITIONS",
    "FormState",
    "Options",
    "Row",
    "build_case",
    "case_yaml",
    "field_for",
    "options",
    "state_from_case",
]

MAX_ROWS = 200
"""Most rows of one table read from a post (a real case has a few dozen lab results)."""
EMPTY_ROWS = {"labs": 6, "events": 3, "meds": 3}
"""Empty rows the page offers beyond those filled in, for browsers without the script."""

PATIENT_FIELDS = ("id", "sex", "birth_date", "age_years", "weight_kg", "height_cm", "ethnicity")
REPRODUCTIVE_FIELDS = ("hysterectomy", "bilateral_oophorectomy", "menses_regular")
ROW_FIELDS = {
    "labs": ("test", "value", "unit", "result", "date", "time"),
    "events": ("date", "event", "dose_mg", "frequency", "reason", "note"),
    "meds": ("name", "dose_mg", "mg_per_month"),
}
_DEFAULTS = {"events": {"frequency": Frequency.DAILY.value}}
"""Values a row's selects start with: a row with only these is empty."""
CONDITIONS = tuple(Conditions.model_fields)
_ROW_NAME = re.compile(r"^(labs|events|meds)-(\d{1,4})-([a-z_]+)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Options:
    """The choices the form offers, from the vocabulary and the knowledge base's lab units."""

    indications: list[str]
    sexes: list[str]
    ethnicities: list[str]
    lab_tests: list[str]
    units: list[tuple[str, str]]
    """(unit, the tests that accept it, space-separated) — the script narrows the choice."""
    results: list[str]
    events: list[str]
    frequencies: list[str]
    reasons: list[str]
    symptoms: list[str]
    conditions: list[str]


def options(kb: KnowledgeBase) -> Options:
    tests = kb.get(LabsKnowledge).tests
    by_unit: dict[str, list[str]] = {}
    for test, definition in tests.items():
        for unit in definition.units:
            by_unit.setdefault(unit, []).append(test.value)
    return Options(
        indications=[item.value for item in Indication],
        sexes=[item.value for item in Sex],
        ethnicities=[item.value for item in Ethnicity],
        lab_tests=[item.value for item in LabTest],
        units=[(unit, " ".join(found)) for unit, found in sorted(by_unit.items())],
        results=[item.value for item in QualitativeResult],
        events=[item.value for item in EventKind],
        frequencies=[item.value for item in Frequency],
        reasons=[item.value for item in HoldReason],
        symptoms=[item.value for item in Symptom],
        conditions=list(CONDITIONS),
    )


@dataclass
class Row:
    """One row of a table on the form: its index in the form and its values by field."""

    index: int
    values: dict[str, str]


@dataclass
class FormState:
    """What the form shows: the values as typed, the rows, and errors by input name."""

    values: dict[str, str] = field(default_factory=dict)
    symptoms: list[str] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=lambda: {k: [] for k in ROW_FIELDS})
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[tuple[str, str, str | None]] = field(default_factory=list)
    """Every problem: (case field, message, the input it concerns or None)."""
    case_rows: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in ROW_FIELDS})
    """For each table, the form row of each case-file list item (empty rows are skipped)."""

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def shown_rows(self, table: str) -> list[Row]:
        """The filled rows, then empty ones up to the table's spare rows."""
        filled = self.rows[table]
        start = max((row.index for row in filled), default=-1) + 1
        spare = [Row(start + n, {}) for n in range(EMPTY_ROWS[table])]
        return [*filled, *spare]

    def add_problems(self, problems: Iterable[tuple[str, str]]) -> None:
        for path, message in problems:
            name = field_for(path, self)
            self.problems.append((path, message, name))
            if name is not None:
                self.errors.setdefault(name, []).append(message)


def _text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def read_form(form: Any) -> FormState:
    """The form's values as typed (every value a string; files ignored)."""
    state = FormState()
    keys = [key for key in form if isinstance(key, str)]
    for key in keys:
        if key.startswith(("labs-", "events-", "meds-")) or key == "symptoms":
            continue
        state.values[key] = _text(form, key)
    state.symptoms = [
        value for value in form.getlist("symptoms") if isinstance(value, str) and value
    ][: len(Symptom)]
    tables: dict[str, dict[int, dict[str, str]]] = {k: {} for k in ROW_FIELDS}
    for key in keys:
        match = _ROW_NAME.match(key)
        if not match or match.group(3) not in ROW_FIELDS[match.group(1)]:
            continue
        table, index = match.group(1), int(match.group(2))
        if index >= MAX_ROWS:
            continue
        tables[table].setdefault(index, {})[match.group(3)] = _text(form, key)
    for table, rows in tables.items():
        defaults = _DEFAULTS.get(table, {})
        state.rows[table] = [
            Row(index, values)
            for index, values in sorted(rows.items())
            if any(value and value != defaults.get(key) for key, value in values.items())
        ]
    return state


def _typed(text: str) -> Any:
    """A number when the text is one (so the core checks its range), else the text as typed."""
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    return text


def _yes_no(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


def build_case(state: FormState) -> dict[str, Any]:
    """The case-file data of the form (not validated: the core does that, naming fields)."""
    data: dict[str, Any] = {}
    for key in ("as_of", "indication"):
        if state.value(key):
            data[key] = state.value(key)
    patient: dict[str, Any] = {}
    for key in PATIENT_FIELDS:
        text = state.value(f"patient_{key}")
        if text:
            patient[key] = text if key in ("id", "sex", "ethnicity", "birth_date") else _typed(text)
    if state.value("patient_on_dialysis") == "yes":
        patient["on_dialysis"] = True
    reproductive: dict[str, Any] = {}
    for key in REPRODUCTIVE_FIELDS:
        answer = _yes_no(state.value(key))
        if answer is not None:
            reproductive[key] = answer
    if state.value("months_since_last_menses"):
        reproductive["months_since_last_menses"] = _typed(state.value("months_since_last_menses"))
    if reproductive:
        patient["reproductive"] = reproductive
    data["patient"] = patient

    events = []
    state.case_rows["events"] = []
    for row in state.rows["events"]:
        event: dict[str, Any] = {}
        for key in ("date", "event", "reason", "note"):
            if row.values.get(key):
                event[key] = row.values[key]
        if row.values.get("dose_mg"):
            event["dose_mg"] = _typed(row.values["dose_mg"])
        if row.values.get("frequency") and row.values["frequency"] != Frequency.DAILY.value:
            event["frequency"] = row.values["frequency"]
        events.append(event)
        state.case_rows["events"].append(row.index)
    grade = state.value("other_toxicity_grade")
    if events or grade:
        therapy: dict[str, Any] = {"events": events}
        if grade:
            therapy["other_toxicity"] = {"grade": _typed(grade)}
        data["therapy"] = therapy

    labs = []
    state.case_rows["labs"] = []
    for row in state.rows["labs"]:
        lab: dict[str, Any] = {}
        for key in ("test", "unit", "result", "date", "time"):
            if row.values.get(key):
                lab[key] = row.values[key]
        if row.values.get("value"):
            lab["value"] = _typed(row.values["value"])
        if "value" not in lab:
            lab.pop("unit", None)  # a unit alone (the select's default) is not a result
        labs.append(lab)
        state.case_rows["labs"].append(row.index)
    if labs:
        data["labs"] = labs

    medications = []
    state.case_rows["meds"] = []
    for row in state.rows["meds"]:
        medication: dict[str, Any] = {}
        if row.values.get("name"):
            medication["name"] = row.values["name"]
        for key in ("dose_mg", "mg_per_month"):
            if row.values.get(key):
                medication[key] = _typed(row.values[key])
        medications.append(medication)
        state.case_rows["meds"].append(row.index)
    if medications:
        data["medications"] = medications

    conditions = {
        name: answer
        for name in CONDITIONS
        if (answer := _yes_no(state.value(f"cond-{name}"))) is not None
    }
    if conditions:
        data["conditions"] = conditions
    if state.symptoms:
        data["symptoms"] = list(dict.fromkeys(state.symptoms))
    return data


def field_for(path: str, state: FormState) -> str | None:
    """The form input that holds the case field `path` (`labs.2.value` → `labs-5-value`),
    or None when no input does (the problem is then listed at the top only)."""
    parts = path.split(".")
    head = parts[0]
    if head in ("as_of", "indication"):
        return head
    if head == "patient" and len(parts) > 1:
        if parts[1] == "reproductive":
            return (
                parts[2]
                if len(parts) > 2 and parts[2] in REPRODUCTIVE_FIELDS
                else (
                    "months_since_last_menses"
                    if len(parts) > 2 and parts[2] == "months_since_last_menses"
                    else None
                )
            )
        if parts[1] == "on_dialysis":
            return "patient_on_dialysis"
        return f"patient_{parts[1]}" if parts[1] in PATIENT_FIELDS else "patient_id"
    if head == "conditions" and len(parts) > 1 and parts[1] in CONDITIONS:
        return f"cond-{parts[1]}"
    if head == "symptoms":
        return "symptoms"
    if head == "therapy":
        if len(parts) > 1 and parts[1] == "other_toxicity":
            return "other_toxicity_grade"
        if len(parts) > 2 and parts[1] == "events" and parts[2].isdigit():
            return _row_input(state, "events", int(parts[2]), parts[3:])
        return None
    table = {"labs": "labs", "medications": "meds"}.get(head)
    if table and len(parts) > 1 and parts[1].isdigit():
        return _row_input(state, table, int(parts[1]), parts[2:])
    return None


def _row_input(state: FormState, table: str, item: int, rest: list[str]) -> str | None:
    rows = state.case_rows[table]
    if item >= len(rows):
        return None
    name = rest[0] if rest and rest[0] in ROW_FIELDS[table] else ROW_FIELDS[table][0]
    if table == "labs" and rest and rest[0] in ("loinc", "sensitivity_miu_ml", "confirmed"):
        name = "value"
    return f"{table}-{rows[item]}-{name}"


def case_yaml(data: Mapping[str, Any]) -> str:
    """The case file as YAML, in the order the form built it."""
    header = "# Case file made with the lenaguard case workbench (docs/case-file.md).\n"
    return header + yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def state_from_case(data: Mapping[str, Any]) -> FormState:
    """A form filled in from case-file data (to edit a pasted case with the fields)."""
    state = FormState()
    for key in ("as_of", "indication"):
        if data.get(key) is not None:
            state.values[key] = str(data[key])
    patient = data.get("patient") or {}
    for key in PATIENT_FIELDS:
        if patient.get(key) is not None:
            state.values[f"patient_{key}"] = str(patient[key])
    return state
