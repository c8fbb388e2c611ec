"""Exit codes: which error gives which code, and which code a run of many outcomes ends with."""

from __future__ import annotations

import pytest

from lenaguard.cli.exit_codes import ExitCode, exit_code_for, most_serious, run_exit_code
from lenaguard.errors import CaseError, InputError, KnowledgeError, WorkflowError

OK, INTERNAL, INVALID, KNOWLEDGE, NOT_READY = ExitCode


def test_the_documented_numbers():
    assert [int(code) for code in (OK, INTERNAL, INVALID, KNOWLEDGE, NOT_READY)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CaseError("bad"), INVALID),
        (InputError([("--age", "too low")]), INVALID),
        (KnowledgeError("broken"), KNOWLEDGE),
        (WorkflowError("not now"), INVALID),  # a refused step, e.g. users create for no prescriber
        (RuntimeError("bug"), INTERNAL),
    ],
)
def test_each_error_maps_to_its_code(error, code):
    assert exit_code_for(error) is code


@pytest.mark.parametrize(
    ("codes", "strict", "expected"),
    [
        ([], False, OK),
        ([OK, NOT_READY], False, OK),
        ([OK, NOT_READY], True, NOT_READY),
        ([NOT_READY, INVALID, OK], True, INVALID),  # 2 wins over 4
        ([INVALID, INTERNAL], True, INTERNAL),
        ([INTERNAL, KNOWLEDGE], False, KNOWLEDGE),
    ],
)
def test_a_run_ends_with_its_most_serious_code(codes, strict, expected):
    assert run_exit_code(codes, strict=strict) is expected
    assert most_serious(codes) in (*codes, OK)
