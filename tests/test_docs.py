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


def test_the_api_page_examples_hold():
    """docs/api.md shows calculator answers and names; they must be what the code gives."""
    from lenaguard.calculators import creatinine_clearance, starting_dose
    from lenaguard.knowledge import default_knowledge

    text = (DOCS / "api.md").read_text()
    kb = default_knowledge()
    crcl = creatinine_clearance(
        {"sex": "female", "age_years": 68, "weight_kg": 70, "creatinine": 1.1}, kb
    )
    assert f"crcl_ml_min={crcl.crcl_ml_min:.2f}" in text
    dose = starting_dose({"indication": "mm_combination", "crcl_ml_min": 45}, kb)
    assert f"dose_mg={dose.dose_mg}" in text and f"band='{dose.band.value}'" in text
    assert hasattr(Case, "from_data") and "Case.from_data" in text


def test_every_relative_link_in_the_docs_resolves():
    """README and docs/ link to files that exist (anchors are not checked)."""
    import re

    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text("utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(root)} → {target}")
    assert broken == []


def test_the_readme_shows_the_current_first_screen():
    """The README's first screen is what `lenaguard assess` prints today (100 columns, plain)."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text("utf-8")
    shown = re.search(r"```\n(lenaguard assessment for.*?)```", readme, re.S)
    assert shown is not None
    run = subprocess.run(
        [sys.executable, "-m", "lenaguard.cli.app", "assess", "examples/mm-newly-diagnosed.yaml"]
        + ["--plain", "--no-pager"],
        cwd=root,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.group(1).strip() == run.stdout.strip()
