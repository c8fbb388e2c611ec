"""The Assessment is fully typed: its JSON Schema is complete and every example round-trips.

Surfaces (the web service's OpenAPI, CDS Hooks, the pages) read the Assessment's schema, so no
part of it may be an untyped object; only `Finding.inputs` (the case values a finding used)
is a free JSON object by design.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from lenaguard.assess import Assessment, assess
from lenaguard.caseio import load_case
from lenaguard.findings import Finding
from lenaguard.knowledge import default_knowledge

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
FREE_JSON_FIELDS = {(Finding, "inputs")}


def _untyped(annotation, seen: set[type]) -> list[str]:
    """Paths of `Any` or bare/str-keyed `dict` annotations reachable from `annotation`."""
    if annotation is typing.Any:
        return ["Any"]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is dict or (origin is dict and (not args or args[1] is typing.Any)):
        return ["dict"]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        problems = []
        for name, field in annotation.model_fields.items():
            if (annotation, name) in FREE_JSON_FIELDS:
                continue
            problems += [
                f"{annotation.__name__}.{name}: {p}" for p in _untyped(field.annotation, seen)
            ]
        return problems
    return [p for arg in args for p in _untyped(arg, seen)]


def test_no_untyped_field_anywhere_in_the_assessment():
    assert _untyped(Assessment, set()) == []


def test_the_untyped_check_catches_an_any_field():
    class Loose(BaseModel):
        payload: dict[str, typing.Any]

    assert _untyped(Loose, set()) == ["Loose.payload: dict"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips_through_json(path):
    result = assess(load_case(path, today=dt.date(2026, 11, 20)), default_knowledge())
    again = Assessment.model_validate(json.loads(json.dumps(result.to_json_dict())))
    assert again == result


def test_assessment_schema_names_the_contract_fields():
    schema = Assessment.model_json_schema(mode="serialization")
    for field in ("lenaguard_version", "knowledge_version", "dose", "findings", "hbv", "scores"):
        assert field in schema["properties"]
    defs = schema["$defs"]
    assert {"HbvSerology", "VteScores", "ImwgResponse", "MdsResponse"} <= set(defs)


def test_basis_follows_the_citations():
    from lenaguard.findings import Finding
    from lenaguard.knowledge.base import Citation, Status
    from lenaguard.vocab import Category, Severity

    make = Finding.maker(Category.DOSING).with_citations
    common = {"name": "x", "severity": Severity.INFO, "summary": "s.", "detail": "d"}
    own = make(
        status=Status.UNVERIFIED, citations=[Citation(source="lenaguard", section="s")], **common
    )
    label = make(status=Status.LABEL, citations=[Citation(source="uspi", section="§2")], **common)
    assert (own.basis, label.basis) == ("lenaguard", None)
    with pytest.raises(ValueError, match="unverified"):
        make(status=Status.LABEL, citations=[Citation(source="lenaguard", section="s")], **common)
