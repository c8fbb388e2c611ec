"""Question 3, is it working: IMWG myeloma response, immunoglobulin recovery, MDS response.

`evaluate(case, kb)` returns one `ResponseOutcome` with the findings and the typed IMWG,
immunoglobulin and MDS results.
"""

from lenaguard.rules.response.imwg import ResponseOutcome, evaluate

__all__ = ["ResponseOutcome", "evaluate"]
