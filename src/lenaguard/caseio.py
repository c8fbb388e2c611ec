"""Reading case files (YAML or JSON) into a validated Case, with errors that name the field.

This is the imperative shell around the Case model: it touches the file system and supplies
the default assessment date (today) when the file gives none.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lenaguard.case import Case
from lenaguard.errors import WHOLE_INPUT, CaseError, FieldProblem, FieldValueError
from lenaguard.knowledge import KnowledgeBase, default_knowledge

# libyaml's safe loader when available (several times faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        raised = (item.get("ctx") or {}).get("error")
        if isinstance(raised, FieldValueError):  # the validator named its own field
            location = f"{location}.{raised.field}" if location else raised.field
            message = raised.message
        if item["type"] == "extra_forbidden":
            message = "unknown field (unknown keys are errors, check the spelling)"
        problems.append(FieldProblem(location or WHOLE_INPUT, message))
    return problems


def case_from_data(
    data: Any, *, today: dt.date, source: str = "case", kb: KnowledgeBase | None = None
) -> Case:
    """Validate already-parsed case data against `kb` (the shipped knowledge when not given);
    `today` is used when the file has no `as_of`."""
    if not isinstance(data, dict):
        raise CaseError([(WHOLE_INPUT, "the case file must be a mapping of fields")], source=source)
    if data.get("as_of") is None:
        data = {**data, "as_of": today}
    try:
        return Case.from_data(data, kb if kb is not None else default_knowledge())
    except ValidationError as exc:
        raise CaseError(_problems(exc), source=source) from exc


def parse_case_text(
    text: str, *, today: dt.date, source: str = "case", kb: KnowledgeBase | None = None
) -> Case:
    """Parse YAML or JSON text (JSON is YAML) into a Case."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise CaseError([("(file)", f"not valid YAML or JSON: {exc}")], source=source) from exc
    return case_from_data(data, today=today, source=source, kb=kb)


def load_case(path: Path, *, today: dt.date | None = None, kb: KnowledgeBase | None = None) -> Case:
    """Read a case file from disk; `today` defaults to the machine's date."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseError(
            [("(file)", f"cannot read {path}: {exc.strerror}")], source=str(path)
        ) from exc
    return parse_case_text(text, today=today or dt.date.today(), source=str(path), kb=kb)
