"""Reading case files defensively: size, encoding, YAML structure, JSON, bounded reads.

The end-to-end refusals through the command line are in test_hostile_input.py; these tests
check the reader's rules one by one, in process.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.case import MAX_NOTE_LENGTH, MAX_TEXT_LENGTH
from lenaguard.caseio import (
    DEFAULT_MAX_CASE_BYTES,
    MAX_CASE_BYTES_ENV,
    MAX_DEPTH,
    MAX_NODES,
    CaseError,
    _read_yaml,
    decode_case_bytes,
    load_case,
    max_case_bytes,
    parse_case_bytes,
    parse_case_text,
    read_limited,
)

TODAY = dt.date(2026, 11, 20)
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
CASE = """as_of: 2026-11-20
indication: mm_combination
patient: {id: "Renée-1", sex: female, age_years: 70, weight_kg: 60, height_cm: 160}
labs:
  - {test: creatinine, value: 1.1, unit: mg/dL, date: 2026-11-18}
"""


def refusal(data: bytes | str, **kwargs) -> tuple[str, str]:
    """The first (field, message) of the CaseError the reader raises."""
    with pytest.raises(CaseError) as raised:
        if isinstance(data, bytes):
            parse_case_bytes(data, today=TODAY, **kwargs)
        else:
            parse_case_text(data, today=TODAY, **kwargs)
    return raised.value.problems[0]


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoded",
    [
        CASE.encode("utf-8"),
        codecs.BOM_UTF8 + CASE.encode("utf-8"),
        CASE.encode("utf-16"),  # with its byte-order mark (native order)
        codecs.BOM_UTF16_LE + CASE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + CASE.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "utf-16-le with BOM", "utf-16-be with BOM"],
)
def test_utf8_and_utf16_with_a_mark_read_the_same(encoded):
    case = parse_case_bytes(encoded, today=TODAY)
    assert case.patient.id == "Renée-1"
    assert case == parse_case_text(CASE, today=TODAY)


@pytest.mark.parametrize(
    ("encoded", "says"),
    [
        (CASE.encode("latin-1"), "UTF-8"),
        (CASE.encode("utf-16-le"), "NUL"),
        (CASE.encode("utf-16-be"), "NUL"),
        (CASE.encode("utf-32"), "UTF-32"),
        (bytes(range(128, 256)), "UTF-8"),
        (CASE.encode() + b"\x00", "NUL"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16"),  # a lone surrogate
    ],
    ids=[
        "latin-1",
        "utf-16-le no BOM",
        "utf-16-be no BOM",
        "utf-32",
        "binary",
        "NUL",
        "bad utf-16",
    ],
)
def test_other_bytes_are_refused_naming_the_problem(encoded, says):
    field, message = refusal(encoded)
    assert field == "(file)"
    assert says in message


def test_a_latin1_refusal_says_where_the_bad_byte_is():
    _, message = refusal(CASE.encode("latin-1"))
    position = CASE.encode("latin-1").index(b"\xe9")
    assert f"0xe9 at position {position}" in message


def test_decoding_drops_the_byte_order_mark():
    assert decode_case_bytes(codecs.BOM_UTF8 + b"a: 1") == "a: 1"
    assert decode_case_bytes("a: 1".encode("utf-16")) == "a: 1"


# ---------------------------------------------------------------- size


def test_the_default_limit_is_one_megabyte(monkeypatch):
    monkeypatch.delenv(MAX_CASE_BYTES_ENV, raising=False)
    assert max_case_bytes() == DEFAULT_MAX_CASE_BYTES == 1_000_000


def test_the_caller_then_the_environment_sets_the_limit(monkeypatch):
    monkeypatch.setenv(MAX_CASE_BYTES_ENV, "5000")
    assert max_case_bytes() == 5000
    assert max_case_bytes(123) == 123


@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5"])
def test_a_broken_environment_limit_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(MAX_CASE_BYTES_ENV, value)
    with pytest.raises(CaseError) as raised:
        max_case_bytes()
    assert raised.value.problems[0].field == MAX_CASE_BYTES_ENV


@pytest.mark.parametrize("extra", [0, 1])
def test_the_limit_is_exact(tmp_path, extra):
    data = CASE.encode()
    path = tmp_path / "case.yaml"
    path.write_bytes(data)
    limit = len(data) - extra
    if extra:
        with pytest.raises(CaseError, match=f"{limit:,}-byte limit"):
            load_case(path, today=TODAY, max_bytes=limit)
    else:
        assert load_case(path, today=TODAY, max_bytes=limit).patient.id == "Renée-1"


class _Endless(io.RawIOBase):
    """A stream that never ends and counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b" " * len(buffer)
        self.given += len(buffer)
        return len(buffer)


def test_a_stream_is_never_read_past_the_limit():
    stream = _Endless()
    with pytest.raises(CaseError, match="limit"):
        read_limited(io.BufferedReader(stream, buffer_size=16), 1000)
    assert stream.given <= 1000 + 16 + 1


def test_a_device_with_no_size_is_read_only_up_to_the_limit():
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(CaseError, match="limit"):
        load_case(zero, today=TODAY, max_bytes=10_000)


def test_a_missing_file_is_a_case_error(tmp_path):
    with pytest.raises(CaseError, match="cannot read"):
        load_case(tmp_path / "nowhere.yaml", today=TODAY)


# ---------------------------------------------------------------- YAML structure


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: &x 1\nb: *x\n", "aliases"),
        ("a: &x [1]\n", "aliases"),
        ("a: !!str 1\n", "tag"),
        ("a: !custom 1\n", "tag"),
        ("a: {<<: {b: 1}}\n", "merge"),
        ("a: 1\na: 2\n", "twice"),
        ("a: {b: 1, b: 1}\n", "twice"),
        ("a: 1\n---\nb: 2\n", "document"),
        ("? [a, b]\n: 1\n", "field names"),
        ("1: a\n", "not a field name"),
        ("a: =\n", "quotes"),
    ],
)
def test_yaml_a_case_never_needs_is_refused(text, says):
    _, message = refusal(text)
    assert says in message


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_is_bounded_on_both_sides(depth):
    text = "x: " + "[" * (depth - 1) + "]" * (depth - 1)
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, today=TODAY)
    fields = [problem.field for problem in raised.value.problems]
    if depth > MAX_DEPTH:
        assert "nested" in raised.value.problems[0].message
    else:  # read, then refused by the model as an unknown field
        assert "x" in fields
        assert not any("nested" in problem.message for problem in raised.value.problems)


def test_deep_json_that_only_json_reads_is_bounded_too():
    text = '{"n": "\\ud83d\\ude00", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    assert "nested" in refusal(text)[1]


@pytest.mark.parametrize("count", [MAX_NODES - 10, MAX_NODES + 1])
def test_the_number_of_values_is_bounded(count):
    text = "x: [" + ",".join(["0"] * count) + "]\n"
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, today=TODAY)
    messages = " ".join(problem.message for problem in raised.value.problems)
    assert ("values" in messages) is (count > MAX_NODES)


@pytest.mark.parametrize("length", [MAX_NOTE_LENGTH, MAX_NOTE_LENGTH + 1])
def test_text_is_bounded_even_under_unknown_keys(length):
    with pytest.raises(CaseError) as raised:
        parse_case_text(f"x: {'a' * length}\n", today=TODAY)
    messages = " ".join(problem.message for problem in raised.value.problems)
    assert ("characters" in messages) is (length > MAX_NOTE_LENGTH)


def test_identifiers_have_a_tighter_cap():
    text = CASE.replace("Renée-1", "i" * (MAX_TEXT_LENGTH + 1))
    assert refusal(text)[0] == "patient.id"
    assert parse_case_text(CASE.replace("Renée-1", "i" * MAX_TEXT_LENGTH), today=TODAY)


def test_json_repeated_keys_are_refused():
    assert "twice" in refusal('{"a": 1, "n": "\\ud83d\\ude00", "a": 2}')[1]


def test_a_json_file_yaml_cannot_read_is_still_read():
    data = yaml.safe_load(CASE)
    data["patient"]["id"] = "p\U0001f600"
    text = json.dumps(data, default=str)  # escapes the emoji as a surrogate pair
    assert "\\ud83d" in text
    assert parse_case_text(text, today=TODAY).patient.id == "p\U0001f600"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_reader_reads_every_example_as_the_yaml_library_does(path):
    text = path.read_text()
    assert _read_yaml(text, "x") == yaml.safe_load(text)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


@settings(max_examples=200, deadline=None)
@given(data=_DATA, flow=st.booleans())
def test_the_reader_agrees_with_the_yaml_library(data, flow):
    text = yaml.dump(data, Dumper=_NoAliases, default_flow_style=flow, allow_unicode=True)
    expected = yaml.safe_load(text)
    got = _read_yaml(text, "x")
    assert json.dumps(got, default=str, sort_keys=True) == json.dumps(
        expected, default=str, sort_keys=True
    )


def test_non_finite_numbers_reach_the_model_which_names_the_field():
    text = CASE.replace("weight_kg: 60", "weight_kg: .nan").replace("value: 1.1", "value: -.inf")
    with pytest.raises(CaseError) as raised:
        parse_case_text(text, today=TODAY)
    assert {p.field for p in raised.value.problems} == {"patient.weight_kg", "labs.0.value"}
    assert all("finite" in p.message for p in raised.value.problems)
    assert math.isnan(_read_yaml(text, "x")["patient"]["weight_kg"])
