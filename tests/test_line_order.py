"""No result depends on the order of lines in a case file.

Shuffling the labs, medications, transfusions and symptoms of a case file (generated or an
example) must give the same assessment JSON. The only thing allowed to move is where an entry
sits: a finding about an improbable lab value names its entry (`labs.3`) in its words, so the
comparison names each entry by its content instead of its position; ids and the order of
findings never depend on it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.case import Case
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import LabTest
from tests.factories import case_data, lab, make_case
from tests.test_assess_properties import case_files

KB = default_knowledge()
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
SHUFFLED = ("labs", "medications", "transfusions", "symptoms")
_ENTRY = re.compile(r"labs([._])(\d+)")


def _assessment(data: dict[str, Any]) -> dict[str, Any]:
    """The assessment JSON, with each `labs.N` reference (a finding naming its entry) replaced
    by the entry's content."""
    labs = data.get("labs", [])

    def by_content(match: re.Match[str]) -> str:
        entry = labs[int(match.group(2))]
        fields = ("test", "loinc", "date", "time", "value", "unit", "result")
        return "lab<" + "|".join(str(entry.get(name)) for name in fields) + ">"

    result = assess(Case.from_data(data, KB), KB).to_json_dict()
    result = json.loads(_ENTRY.sub(by_content, json.dumps(result, sort_keys=True)))
    return result


def _shuffled(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    copy = dict(data)
    for key in SHUFFLED:
        if key in copy:
            items = list(copy[key])
            rng.shuffle(items)
            copy[key] = items
    return copy


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_files(), st.randoms(use_true_random=False))
def test_shuffled_generated_case_files_assess_the_same(data, rng):
    assert _assessment(_shuffled(data, rng)) == _assessment(data)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_shuffled_examples_assess_the_same(path):
    data = yaml.safe_load(path.read_text())
    data.setdefault("as_of", "2026-11-20")
    expected = _assessment(data)
    rng = random.Random(path.stem)
    for _ in range(3):
        assert _assessment(_shuffled(data, rng)) == expected
    reversed_data = {k: list(reversed(v)) if k in SHUFFLED else v for k, v in data.items()}
    assert _assessment(reversed_data) == expected


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_with_times_the_later_result_counts_in_either_order(order):
    timed = [
        lab("platelets", 20, "10^3/uL", date="2026-11-19", time="08:30"),
        lab("platelets", 60, "10^3/uL", date="2026-11-19", time="16:45"),
    ]
    case = make_case(labs=[timed[i] for i in order])
    latest = case.latest(LabTest.PLATELETS)
    assert latest is not None and latest.time == dt.time(16, 45)
    assert [r.canonical_value for r in case.series(LabTest.PLATELETS)] == [20_000, 60_000]


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_result_written_twice_counts_once_in_either_order(order):
    same = [
        lab("anc", 0.8, "10^3/uL", date="2026-11-19"),
        lab("anc", 800, "/uL", date="2026-11-19"),
    ]
    case = make_case(labs=[same[i] for i in order])
    assert len(case.series(LabTest.ANC)) == 1
    first = assess(make_case(labs=same), KB).to_json_dict()
    assert assess(case, KB).to_json_dict()["dose"] == first["dose"]


def test_the_same_case_data_gives_the_same_json_twice():
    data = case_data(labs=[lab("creatinine", 1.1, "mg/dL")])
    assert _assessment(data) == _assessment(data)
