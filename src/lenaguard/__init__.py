"""lenaguard: lenalidomide (Revlimid) therapy safety and evidence.

The library API in four names:

    from lenaguard import load_case, assess, default_knowledge

    case = load_case(Path("examples/mm-newly-diagnosed.yaml"))
    result = assess(case, default_knowledge())
    result.dose, result.findings, result.ready_to_prescribe, result.to_json_dict()
"""

from lenaguard._version import __version__ as __version__
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
