"""The knowledge base as a whole: it loads, every entry is cited, and numbers live only there."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml

from lenaguard.knowledge import KnowledgeBase, KnowledgeError, Status, default_knowledge
from lenaguard.knowledge.loader import DATA_DIR
from lenaguard.knowledge.topics.sources import Bibliography

RULES_DIR = Path(__file__).resolve().parents[2] / "src" / "lenaguard" / "rules"
RULE_MODULES_AT_LEAST = 27  # the rule modules when this check last grew; update as topics are added
STANDALONE_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def _raw_files() -> dict[str, object]:
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(DATA_DIR.glob("*.yaml"))}


def test_every_yaml_file_is_a_registered_topic():
    kb = default_knowledge()
    assert set(_raw_files()) == set(kb.topics)


def test_every_cited_entry_names_a_source_a_section_and_a_status():
    kb = default_knowledge()
    known = kb.get(Bibliography).ids()
    count = 0
    for name, topic in kb.topics.items():
        for path, entry in topic.cited_entries():
            count += 1
            assert entry.status in set(Status), path
            assert entry.cite, f"{name}: {path} has no citation"
            for citation in entry.cite:
                assert citation.source in known, f"{path}: unknown source {citation.source}"
                assert citation.section.strip(), f"{path}: empty section"
    assert count > 100  # the knowledge base is not empty


def _numbers_without_citation(node: object, cited: bool, path: str) -> list[str]:
    """Paths of numbers in raw YAML that no enclosing mapping cites."""
    if isinstance(node, dict):
        here = cited or ("status" in node and "cite" in node)
        found = []
        for key, value in node.items():
            if key == "cite":
                continue
            found += _numbers_without_citation(value, here, f"{path}.{key}")
        return found
    if isinstance(node, list):
        return [
            p
            for i, item in enumerate(node)
            for p in _numbers_without_citation(item, cited, f"{path}[{i}]")
        ]
    if isinstance(node, int | float) and not isinstance(node, bool) and not cited:
        return [f"{path} = {node}"]
    return []


def test_every_number_in_knowledge_sits_inside_a_cited_entry():
    problems = []
    for name, raw in _raw_files().items():
        if name == "sources":
            continue
        problems += _numbers_without_citation(raw, False, name)
    assert not problems, "numbers without status and citation:\n" + "\n".join(problems)


def _knowledge_numbers() -> set[float]:
    numbers: set[float] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            numbers.add(float(node))
        elif isinstance(node, str):
            for match in STANDALONE_NUMBER.findall(node):
                numbers.add(float(match.replace(",", "")))

    walk(_raw_files())
    return numbers


def _literals(tree: ast.AST) -> list[tuple[int, object]]:
    found = []
    for node in ast.walk(tree):
        is_literal = isinstance(node, ast.Constant) and not isinstance(node.value, bool)
        if is_literal and isinstance(node.value, int | float | str):
            found.append((node.lineno, node.value))
    return found


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
        # attribute docstrings: a bare string expression statement anywhere
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            ids.add(id(node.value))
    return ids


def test_no_number_in_rules_duplicates_knowledge():
    """Rules read clinical numbers from knowledge/; only 0 and 1 may appear in their code."""
    knowledge_numbers = _knowledge_numbers()
    problems = []
    paths = sorted(RULES_DIR.rglob("*.py"))
    # the walk must reach every module, sub-packages included, or the check silently shrinks
    assert len(paths) >= RULE_MODULES_AT_LEAST, [p.name for p in paths]
    for path in paths:
        tree = ast.parse(path.read_text())
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
                continue
            if isinstance(node.value, int | float) and node.value not in (0, 1):
                also = " (also in knowledge/)" if float(node.value) in knowledge_numbers else ""
                problems.append(
                    f"{path.relative_to(RULES_DIR)}:{node.lineno}: number {node.value}{also}"
                )
            elif isinstance(node.value, str) and id(node) not in docstrings:
                for match in STANDALONE_NUMBER.findall(node.value):
                    if float(match.replace(",", "")) in knowledge_numbers:
                        problems.append(
                            f"{path.relative_to(RULES_DIR)}:{node.lineno}: {match!r} in text {node.value!r}"
                        )
    assert not problems, "clinical numbers written into rules/:\n" + "\n".join(problems)


def test_the_number_check_catches_a_threshold_written_into_code(tmp_path):
    tree = ast.parse('LIMIT = 30000\nMESSAGE = "platelets below 30,000"\n')
    numbers = [value for _, value in _literals(tree) if isinstance(value, int)]
    texts = [value for _, value in _literals(tree) if isinstance(value, str)]
    assert numbers == [30000]
    assert STANDALONE_NUMBER.findall(texts[0]) == ["30,000"]
    assert not STANDALONE_NUMBER.findall("cyp3a4_inhibitor")


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_malformed_file_fails_loudly_naming_file_and_field(tmp_path):
    data = _copy_data(tmp_path)
    path = data / "indications.yaml"
    path.write_text(path.read_text().replace("dose_mg: 25", "dose_mg: twenty-five", 1))
    with pytest.raises(KnowledgeError) as raised:
        KnowledgeBase.load(data)
    message = str(raised.value)
    assert "indications.yaml" in message
    assert "dose_mg" in message


def test_an_unknown_status_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    path = data / "indications.yaml"
    path.write_text(path.read_text().replace("status: label", "status: probably", 1))
    with pytest.raises(KnowledgeError, match="status"):
        KnowledgeBase.load(data)


def test_a_citation_of_an_unknown_source_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    path = data / "indications.yaml"
    path.write_text(path.read_text().replace("source: uspi", "source: a_blog", 1))
    with pytest.raises(KnowledgeError, match="a_blog"):
        KnowledgeBase.load(data)


def test_a_missing_file_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    (data / "labs.yaml").unlink()
    with pytest.raises(KnowledgeError, match="labs.yaml"):
        KnowledgeBase.load(data)


def test_the_label_is_cited_by_its_dailymed_set_id():
    uspi = default_knowledge().get(Bibliography).by_id("uspi")
    assert "5fa97bf5-28a2-48f1-8955-f56012d296be" in uspi.version
    assert uspi.url and "5fa97bf5-28a2-48f1-8955-f56012d296be" in uspi.url


def test_lenaguard_readings_are_unverified_everywhere():
    """An entry citing lenaguard's own reading can never claim a firmer status."""
    import pytest

    from lenaguard.knowledge.base import Citation, Cited, Status

    with pytest.raises(ValueError, match="unverified"):
        Cited(status=Status.SECONDARY, cite=[Citation(source="lenaguard", section="x")])
    assert Cited(status=Status.UNVERIFIED, cite=[Citation(source="lenaguard", section="x")])
