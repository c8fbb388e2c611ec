"""Architecture rules as tests: imports run one way, and nothing imports in a circle.

DESIGN.md: surfaces (cli, service, web pages) → workflow → store; everything → core. The core imports
no web, database, terminal or HTTP library, the three rule groups do not import each other,
and the core never imports a surface.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lenaguard"

SURFACES = (
    "lenaguard.cli",
    "lenaguard.service",
    "lenaguard.web",
    "lenaguard.workflow",
    "lenaguard.store",
)
"""Packages at the edges; everything else under lenaguard is the core (evidence.ingest too
does I/O, but with no surface library)."""

SURFACE_LIBRARIES = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "uvicorn",
    "typer",
    "click",
    "rich",
    "httpx",
)
RULE_GROUPS = ("lenaguard.rules.dose", "lenaguard.rules.safety", "lenaguard.rules.response")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # module level, including `if TYPE_CHECKING:` blocks excluded
        nodes = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _is_core(name: str) -> bool:
    return not any(_within(name, surface) for surface in SURFACES)


def test_the_core_imports_no_surface_library_and_no_surface():
    problems = []
    for name, path in _modules().items():
        if not _is_core(name):
            continue
        for imported in _imports(path, top_level_only=False):
            if imported.split(".")[0] in SURFACE_LIBRARIES:
                problems.append(f"{name} imports {imported}")
            if imported.startswith("lenaguard") and not _is_core(imported):
                problems.append(f"{name} imports the surface {imported}")
    assert not problems, "\n".join(problems)


def test_the_rule_groups_do_not_import_each_other():
    problems = []
    for name, path in _modules().items():
        group = next((g for g in RULE_GROUPS if _within(name, g)), None)
        if group is None:
            continue
        for imported in _imports(path, top_level_only=False):
            other = next((g for g in RULE_GROUPS if _within(imported, g)), None)
            if other is not None and other != group:
                problems.append(f"{name} imports {imported}")
    assert not problems, "\n".join(problems)


def test_rules_import_no_orchestration_or_surface():
    problems = []
    for name, path in _modules().items():
        if not _within(name, "lenaguard.rules"):
            continue
        for imported in _imports(path, top_level_only=False):
            if _within(imported, "lenaguard.assess") or _within(imported, "lenaguard.caseio"):
                problems.append(f"{name} imports {imported}")
    assert not problems, "\n".join(problems)


def test_no_import_circle_between_modules():
    modules = _modules()
    graph = {
        name: {
            target
            for imported in _imports(path, top_level_only=True)
            for target in (imported, imported.rsplit(".", 1)[0])
            if target in modules and target != name
        }
        for name, path in modules.items()
    }
    # a package's __init__ importing its own submodules is not a circle by itself
    for name in graph:
        graph[name] = {t for t in graph[name] if not _within(t, name)}
    cycles = _cycles(graph)
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_the_circle_check_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_the_checks_see_every_module():
    names = set(_modules())
    assert {"lenaguard.assess", "lenaguard.rules.dose", "lenaguard.cli.app"} <= names
    assert len([n for n in names if _within(n, "lenaguard.rules")]) >= 25
