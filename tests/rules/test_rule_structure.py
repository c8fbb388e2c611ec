"""Architecture rules for rules/: functions stay short enough to read against the label.

A function of 100 lines or more nearly always tangles the decision with its wording; the rules
split those into a typed decision (`decide_…`) and a function that words it (see
rules/safety/rems.py). The walk reaches every sub-package, so a new module is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parents[2] / "src" / "lenaguard" / "rules"
MAX_FUNCTION_LINES = 100
"""A function may have at most this many lines minus one, decorators and docstring included."""
RULE_MODULES_AT_LEAST = 25
"""The walk must find at least this many modules, or it has silently stopped descending."""


def _long_functions(source: str) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method of `MAX_FUNCTION_LINES` or more."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length >= MAX_FUNCTION_LINES:
                found.append((node.name, first, length))
    return found


def test_no_function_in_rules_is_100_lines_or_longer():
    paths = sorted(RULES_DIR.rglob("*.py"))
    assert len(paths) >= RULE_MODULES_AT_LEAST, [p.name for p in paths]
    problems = [
        f"{path.relative_to(RULES_DIR)}:{line}: {name} has {length} lines"
        for path in paths
        for name, line, length in _long_functions(path.read_text())
    ]
    assert not problems, "split these into a decision and its wording:\n" + "\n".join(problems)


def _function(name: str, lines: int) -> str:
    """Source of a function `lines` long (the def line included)."""
    return f"def {name}():\n" + "\n".join(f"    x{i} = {i}" for i in range(lines - 1)) + "\n"


def test_the_length_check_flags_exactly_100_lines_and_not_99():
    assert _long_functions(_function("at_limit", MAX_FUNCTION_LINES)) == [
        ("at_limit", 1, MAX_FUNCTION_LINES)
    ]
    assert _long_functions(_function("below", MAX_FUNCTION_LINES - 1)) == []


def test_the_length_check_counts_decorators_and_finds_nested_functions():
    inner = _function("inner", MAX_FUNCTION_LINES).replace("\n", "\n    ").rstrip()
    source = f"@decorator\ndef outer():\n    {inner}\n    return inner\n"
    found = {name: (line, length) for name, line, length in _long_functions(source)}
    assert found == {"outer": (1, MAX_FUNCTION_LINES + 3), "inner": (3, MAX_FUNCTION_LINES)}
