"""Reading case files (YAML or JSON) into a validated Case, with errors that name the field.

This is the imperative shell around the Case model: it touches the file system and supplies
the default assessment date (today) when the file gives none.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lenaguard.case import Case

# libyaml's safe loader when available (several times faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PATH_PREFIX = re.compile(r"^(?P<path>[a-z_][\w]*(?:\.[\w]+)*): (?P<message>.*)$", re.DOTALL)


class CaseError(Exception):
    """The case file cannot be used; `problems` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str = "case"):
        self.problems = problems
        self.source = source
        lines = [f"{source}: invalid case file"] + [f"  {field}: {msg}" for field, msg in problems]
        super().__init__("\n".join(lines))


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        match = _PATH_PREFIX.match(message)
        if match:  # validators report their own path, relative to where they sit
            relative = match["path"]
            location = f"{location}.{relative}" if location else relative
            message = match["message"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (unknown keys are errors, check the spelling)"
        problems.append((location or "(case)", message))
    return problems


def case_from_data(data: Any, *, today: dt.date, source: str = "case") -> Case:
    """Validate already-parsed case data; `today` is used when the file has no `as_of`."""
    if not isinstance(data, dict):
        raise CaseError([("(case)", "the case file must be a mapping of fields")], source)
    if data.get("as_of") is None:
        data = {**data, "as_of": today}
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_problems(exc), source) from exc


def parse_case_text(text: str, *, today: dt.date, source: str = "case") -> Case:
    """Parse YAML or JSON text (JSON is YAML) into a Case."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise CaseError([("(file)", f"not valid YAML or JSON: {exc}")], source) from exc
    return case_from_data(data, today=today, source=source)


def load_case(path: Path, *, today: dt.date | None = None) -> Case:
    """Read a case file from disk; `today` defaults to the machine's date."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseError([("(file)", f"cannot read {path}: {exc.strerror}")], str(path)) from exc
    return parse_case_text(text, today=today or dt.date.today(), source=str(path))
