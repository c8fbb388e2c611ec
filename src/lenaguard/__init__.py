"""lenaguard: lenalidomide (Revlimid) therapy safety and evidence.

The library API in four names:

    from lenaguard import load_case, assess, default_knowledge

    case = load_case(Path("examples/mm-newly-diagnosed.yaml"))
    result = assess(case, default_knowledge())
    result.dose, result.findings, result.ready_to_prescribe, result.to_json_dict()

The public names load lazily (PEP 562): `import lenaguard` costs almost nothing, and a name's
module (pydantic models, the rules) is imported the first time the name is used. This keeps
`lenaguard --help` fast; type checkers see the names through the TYPE_CHECKING imports below.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lenaguard._version import __version__ as __version__

if TYPE_CHECKING:
    from lenaguard.assess import Assessment, assess
    from lenaguard.case import Case
    from lenaguard.caseio import case_from_data, load_case, parse_case_text
    from lenaguard.errors import (
        CaseError,
        EvidenceError,
        FieldProblem,
        InputError,
        KnowledgeError,
        LenaguardError,
        WorkflowError,
    )
    from lenaguard.findings import Finding
    from lenaguard.knowledge import KnowledgeBase, Status, default_knowledge

_HOMES: dict[str, str] = {
    "Assessment": "lenaguard.assess",
    "Case": "lenaguard.case",
    "CaseError": "lenaguard.errors",
    "EvidenceError": "lenaguard.errors",
    "FieldProblem": "lenaguard.errors",
    "Finding": "lenaguard.findings",
    "InputError": "lenaguard.errors",
    "KnowledgeBase": "lenaguard.knowledge",
    "KnowledgeError": "lenaguard.errors",
    "LenaguardError": "lenaguard.errors",
    "Status": "lenaguard.knowledge",
    "WorkflowError": "lenaguard.errors",
    "assess": "lenaguard.assess",
    "case_from_data": "lenaguard.caseio",
    "default_knowledge": "lenaguard.knowledge",
    "load_case": "lenaguard.caseio",
    "parse_case_text": "lenaguard.caseio",
}
"""Each public name and the module it lives in."""

__all__ = [
    "Assessment",
    "Case",
    "CaseError",
    "EvidenceError",
    "FieldProblem",
    "Finding",
    "InputError",
    "KnowledgeBase",
    "KnowledgeError",
    "LenaguardError",
    "Status",
    "WorkflowError",
    "assess",
    "case_from_data",
    "default_knowledge",
    "load_case",
    "parse_case_text",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it, so the next access is a plain lookup."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The package module, guarding public names that share a name with a submodule.

    Importing the submodule `lenaguard.assess` makes Python set the package attribute `assess`
    to that module; the public name `assess` is the function, so that assignment is ignored
    (the module stays reachable as `sys.modules["lenaguard.assess"]`).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
