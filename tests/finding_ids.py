"""The finding ids of lenaguard: what the rules' code can emit, and what docs/findings.md lists.

`static_ids()` reads the rules' source (no import, no run): every call of a finding maker
(`_x_finding = Finding.maker(Category.X)`, then `_x_finding(..., name=...)` or
`_x_finding.with_citations(name=...)`) gives one or more ids. A `name=` that is a string gives
a concrete id; an f-string gives a pattern whose `{...}` parts become `<placeholder>`s; a
variable is followed to the values assigned to it in its function, or, for a parameter, to the
values the module's own calls pass for it. Anything else becomes a placeholder.

`documented()` parses the Markdown tables of docs/findings.md: one row per id or pattern, with
its severity range and its evidence statuses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from lenaguard.knowledge.base import Status
from lenaguard.vocab import Category, Severity

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "src" / "lenaguard" / "rules"
INTEROP = ROOT / "src" / "lenaguard" / "interop"
"""The FHIR mapping's notes (`input.fhir_*`) are findings too."""
FINDINGS_DOC = ROOT / "docs" / "findings.md"

PLACEHOLDER = re.compile(r"<[a-z0-9_]+>")
SEVERITY_ORDER = [Severity.INFO, Severity.WARNING, Severity.CRITICAL]

SEEN_IN_SESSION: dict[str, set[tuple[Severity, Status]]] = {}
"""Every finding the rules built in this test session: id → {(severity, status)} (conftest.py)."""


def id_regex(pattern: str) -> re.Pattern[str]:
    """The regex of an id pattern: each `<placeholder>` stands for `[a-z0-9_]+`."""
    parts = PLACEHOLDER.split(pattern)
    return re.compile("[a-z0-9_]+".join(re.escape(part) for part in parts) + r"\Z")


def is_pattern(finding_id: str) -> bool:
    return PLACEHOLDER.search(finding_id) is not None


# ---------------------------------------------------------------- the code's ids


@dataclass(frozen=True)
class CodeId:
    """An id (or id pattern) one maker call in the rules can emit, with its severities.

    `severities` is None where the severity is decided elsewhere (read from knowledge).
    """

    id: str
    where: str
    severities: frozenset[Severity] | None


def _maker_categories(tree: ast.Module) -> dict[str, str]:
    """Module-level `name = Finding.maker(Category.X)` → {name: category value}."""
    makers = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "maker" and call.args):
            continue
        arg = call.args[0]
        if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
            category = Category[arg.attr].value
            for target in node.targets:
                if isinstance(target, ast.Name):
                    makers[target.id] = category
    return makers


def _maker_of(call: ast.Call, makers: dict[str, str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in makers:
        return makers[func.id]
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "with_citations"
        and isinstance(func.value, ast.Name)
        and func.value.id in makers
    ):
        return makers[func.value.id]
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _placeholder(node: ast.expr | None) -> str:
    """A readable placeholder for an expression: the last attribute or name in it."""
    if node is None:
        return "<name>"
    names = [n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)]
    names += [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    word = re.sub(r"[^a-z0-9_]", "", (names[0] if names else "part").lower()) or "part"
    return f"<{word}>"


Binding = dict[str, ast.expr | None]
"""The expressions of a maker call's `name` and `severity`, each read in its own scope."""


class _Module:
    """One rules module: its functions, the calls in it, and the enclosing function of a node."""

    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def calls_of(self, function: str) -> list[ast.Call]:
        return [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == function
        ]

    @staticmethod
    def _assigned(function: ast.FunctionDef, name: str) -> list[ast.expr]:
        return [
            stmt.value
            for stmt in ast.walk(function)
            if isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
        ]

    def _parameter(self, node: ast.expr | None) -> tuple[ast.FunctionDef, str] | None:
        """(function, name) when `node` is a parameter of its function, never reassigned."""
        if not isinstance(node, ast.Name):
            return None
        function = self.enclosing(node)
        if function is None or self._assigned(function, node.id):
            return None
        parameters = {a.arg for a in (*function.args.args, *function.args.kwonlyargs)}
        return (function, node.id) if node.id in parameters else None

    def bindings(self, binding: Binding, seen: frozenset[str] = frozenset()) -> list[Binding]:
        """The binding once every parameter in it is replaced by what each caller passes.

        `name` and `severity` passed through a helper (`_finding(slug=..., severity=...)`) are
        taken from the same call, so that each id keeps its own severity.
        """
        for expr in binding.values():
            found = self._parameter(expr)
            if found is None or f"{found[0].name}.{found[1]}" in seen:
                continue
            function, _ = found
            expanded: list[Binding] = []
            for call in self.calls_of(function.name):
                replaced: Binding = {}
                for key, value in binding.items():
                    other = self._parameter(value)
                    same = other is not None and other[0] is function
                    replaced[key] = _keyword(call, other[1]) if same and other else value
                key = f"{function.name}.{found[1]}"
                expanded += self.bindings(replaced, seen | {key})
            return expanded or [binding]
        return [binding]

    def values(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> set[str]:
        """Every string `node` can stand for, with placeholders where it cannot be known."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.JoinedStr):
            results = {""}
            for part in node.values:
                if isinstance(part, ast.Constant):
                    options = {str(part.value)}
                elif isinstance(part, ast.FormattedValue):
                    options = self.values(part.value, seen)
                else:  # pragma: no cover - f-strings hold only these two
                    options = {_placeholder(part)}
                results = {head + tail for head in results for tail in options}
            return results
        if isinstance(node, ast.IfExp):
            return self.values(node.body, seen) | self.values(node.orelse, seen)
        if isinstance(node, ast.Name):
            function = self.enclosing(node)
            key = f"{function.name if function else ''}.{node.id}"
            assigned = [] if function is None else self._assigned(function, node.id)
            if assigned and key not in seen:
                return set().union(*(self.values(value, seen | {key}) for value in assigned))
        return {_placeholder(node)}

    def severities(self, node: ast.expr | None) -> frozenset[Severity] | None:
        """The `Severity.X` a severity expression can take; None when read from data."""
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Severity"
        ):
            return frozenset({Severity[node.attr]})
        if isinstance(node, ast.IfExp):
            body, orelse = self.severities(node.body), self.severities(node.orelse)
            return None if body is None or orelse is None else body | orelse
        return None


def static_ids() -> list[CodeId]:
    """Every id (or id pattern) the maker calls in src/lenaguard/rules/** and
    src/lenaguard/interop/** can emit."""
    found: list[CodeId] = []
    for path in [*sorted(RULES.rglob("*.py")), *sorted(INTEROP.rglob("*.py"))]:
        module = _Module(path)
        makers = _maker_categories(module.tree)
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            category = _maker_of(node, makers)
            if category is None or _keyword(node, "name") is None:
                continue
            start = {key: _keyword(node, key) for key in ("name", "severity")}
            for binding in module.bindings(start):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                severities = module.severities(binding["severity"])
                for value in sorted(module.values(binding["name"])):
                    found.append(CodeId(f"{category}.{value}", where, severities))
    return found


# ---------------------------------------------------------------- the documented ids


@dataclass(frozen=True)
class DocumentedId:
    """One row of docs/findings.md."""

    id: str
    meaning: str
    severities: frozenset[Severity]
    statuses: frozenset[Status]

    @property
    def regex(self) -> re.Pattern[str]:
        return id_regex(self.id)


_ROW = re.compile(
    r"^\|\s*`(?P<id>[^`]+)`\s*\|(?P<meaning>[^|]+)\|(?P<sev>[^|]+)\|(?P<st>[^|]+)\|\s*$"
)


def _severities(cell: str) -> frozenset[Severity]:
    """`warning` → {warning}; `info–critical` (a range, en dash or hyphen) → all three."""
    ranks = [SEVERITY_ORDER.index(Severity(word)) for word in re.findall(r"[a-z]+", cell)]
    if not ranks:
        return frozenset()
    if "–" in cell or "-" in cell:
        return frozenset(SEVERITY_ORDER[min(ranks) : max(ranks) + 1])
    return frozenset(SEVERITY_ORDER[rank] for rank in ranks)


def documented(path: Path = FINDINGS_DOC) -> list[DocumentedId]:
    """The rows of the id tables in docs/findings.md, in order."""
    rows = []
    for line in path.read_text().splitlines():
        match = _ROW.match(line)
        if match is None:
            continue
        rows.append(
            DocumentedId(
                id=match["id"],
                meaning=match["meaning"].strip(),
                severities=_severities(match["sev"]),
                statuses=frozenset(Status(s) for s in re.findall(r"`([a-z-]+)`", match["st"])),
            )
        )
    return rows


def documenting(finding_id: str, rows: list[DocumentedId]) -> DocumentedId | None:
    """The row that documents a concrete id: its own row first, else the first matching pattern."""
    exact = next((row for row in rows if row.id == finding_id), None)
    if exact is not None:
        return exact
    return next((row for row in rows if is_pattern(row.id) and row.regex.match(finding_id)), None)


def _shape(pattern: str) -> str:
    """A pattern with its placeholder names dropped: `a.<x>_b` and `a.<y>_b` are the same."""
    return PLACEHOLDER.sub("<>", pattern)


def rows_for(code_id: str, rows: list[DocumentedId]) -> list[DocumentedId]:
    """The rows that document an id (or id pattern) found in the code."""
    if not is_pattern(code_id):
        row = documenting(code_id, rows)
        return [] if row is None else [row]
    code_regex = id_regex(code_id)
    return [
        row
        for row in rows
        if _shape(row.id) == _shape(code_id)
        or (not is_pattern(row.id) and code_regex.match(row.id))
    ]


def covers(rows: list[DocumentedId], code_id: str) -> bool:
    """Whether the document lists the id (or id pattern) found in the code."""
    return bool(rows_for(code_id, rows))


def emittable(row: DocumentedId, code_ids: set[str]) -> bool:
    """Whether some maker call in the code can emit the documented id (or ids of its pattern)."""
    patterns = [id_regex(code) for code in code_ids if is_pattern(code)]
    if not is_pattern(row.id):
        return row.id in code_ids or any(regex.match(row.id) for regex in patterns)
    sample = PLACEHOLDER.sub("x", row.id)
    return any(_shape(code) == _shape(row.id) for code in code_ids) or any(
        regex.match(sample) for regex in patterns
    )
