"""The documentation keeps up with the contracts it documents."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from lenaguard.case import Case
from lenaguard.vocab import LabTest, Symptom

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _types_in(field.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                _models(candidate, seen)
    return seen


def _types_in(annotation: object) -> list[object]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [inner for arg in args for inner in _types_in(arg)]


def test_every_case_field_is_documented():
    text = (DOCS / "case-file.md").read_text()
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in _models(Case, set())
        for name in model.model_fields
        if f"`{name}`" not in text
    )
    assert not missing, f"fields missing from docs/case-file.md: {missing}"


def test_every_lab_test_and_symptom_is_documented():
    text = (DOCS / "case-file.md").read_text()
    missing = [item.value for item in [*LabTest, *Symptom] if f"`{item.value}`" not in text]
    assert not missing
