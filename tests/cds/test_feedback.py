"""Feedback: the spec's and the sandbox's bodies are stored, invalid ones are a 400, and
`lenaguard cds stats` counts acceptance and overrides per card type."""

from __future__ import annotations

import copy

import pytest
from typer.testing import CliRunner

from lenaguard.cli.app import app as cli
from lenaguard.workflow.cds.models import CdsFeedback
from lenaguard.workflow.cds.stats import card_stats
from tests.cds.conftest import ORDER_SIGN, load, order_sign_request

FEEDBACK = ORDER_SIGN + "/feedback"


def _stored(client) -> list[CdsFeedback]:
    with client.app.state.database.reading() as session:
        rows = session.query(CdsFeedback).order_by(CdsFeedback.id).all()
        session.expunge_all()
    return rows


@pytest.mark.parametrize(
    "name", ["spec_feedback_1.json", "spec_feedback_2.json", "spec_feedback_3.json"]
)
def test_the_spec_feedback_bodies_are_stored(client, call, name):
    body = load(name)
    response = call(FEEDBACK, body)
    assert response.status_code == 200, response.text
    (row,) = _stored(client)
    item = body["feedback"][0]
    assert row.card == item["card"] and row.outcome == item["outcome"]
    assert row.card_type == "unknown"  # not a card lenaguard issued
    reason = item.get("overrideReason")
    assert row.override_code == (reason["reason"]["code"] if reason else None)
    assert row.user_comment == (reason.get("userComment") if reason else None)


def test_the_sandbox_feedback_body_is_stored(client, call):
    captured = load("sandbox/feedback_request.json")
    assert call(FEEDBACK, captured["body"]).status_code == 200
    (row,) = _stored(client)
    assert row.card == "c-1" and row.accepted_suggestions == ["s-1"]


def _spec_item() -> dict:
    return copy.deepcopy(load("spec_feedback_1.json")["feedback"][0])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "ignored"}, "feedback.0.outcome"),
        ({"outcome": None}, "feedback.0.outcome"),
        ({"card": None}, "feedback.0.card"),
        ({"outcomeTimestamp": None}, "feedback.0.outcomeTimestamp"),
        ({"outcomeTimestamp": "yesterday"}, "feedback.0.outcomeTimestamp"),
        ({"outcomeTimestamp": "2021-12-11T10:05:31"}, "feedback.0"),  # no time zone
        ({"overrideReason": {"userComment": "x"}}, "feedback.0"),  # accepted with a reason
        ({"outcome": "overridden"}, "feedback.0"),  # overridden with accepted suggestions
        ({"acceptedSuggestions": [{}]}, "feedback.0.acceptedSuggestions.0.id"),
    ],
)
def test_invalid_feedback_is_a_400_naming_the_field(client, call, change, field):
    item = _spec_item()
    for key, value in change.items():
        if value is None:
            del item[key]
        else:
            item[key] = value
    response = call(FEEDBACK, {"feedback": [item]})
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert _stored(client) == []


@pytest.mark.parametrize("body", [{}, {"feedback": []}, {"feedback": "yes"}, []])
def test_a_feedback_body_without_items_is_a_400(call, body):
    assert call(FEEDBACK, body).status_code == 400


def test_stats_count_outcomes_per_card_type(client, call):
    cards = call(ORDER_SIGN, order_sign_request()).json()["cards"]
    by_summary = {card["summary"].split(":")[0]: card for card in cards}
    dose = by_summary["Lenalidomide dose"]
    hbv = next(card for card in cards if card["summary"].startswith("Hepatitis B"))
    accepted = {
        "card": dose["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": dose["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": "2025-01-06T15:01:00Z",
    }
    overridden = {
        "card": hbv["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": hbv["overrideReasons"][0]},
        "outcomeTimestamp": "2025-01-06T15:01:00Z",
    }
    assert call(FEEDBACK, {"feedback": [accepted, overridden]}).status_code == 200
    with client.app.state.database.reading() as session:
        rows = {row.card_type: row for row in card_stats(session)}
    assert rows["dose.renal"].issued == 1 and rows["dose.renal"].acceptance_rate == 1.0
    hbv_row = rows["infection.hbv_screening_needed"]
    assert hbv_row.override_rate == 1.0 and hbv_row.acceptance_rate == 0.0
    assert hbv_row.override_reasons == {hbv["overrideReasons"][0]["code"]: 1}
    untouched = rows["thrombosis.no_prophylaxis"]
    assert untouched.issued == 1 and untouched.acceptance_rate is None
    # feedback sent again for a card: the latest outcome counts
    accepted_again = dict(overridden, outcome="accepted")
    del accepted_again["overrideReason"]
    assert call(FEEDBACK, {"feedback": [accepted_again]}).status_code == 200
    with client.app.state.database.reading() as session:
        rows = {row.card_type: row for row in card_stats(session)}
    assert rows["infection.hbv_screening_needed"].acceptance_rate == 1.0


def test_the_stats_command_reports_rates(client, call, monkeypatch):
    cards = call(ORDER_SIGN, order_sign_request()).json()["cards"]
    item = {
        "card": cards[0]["uuid"],
        "outcome": "accepted",
        "outcomeTimestamp": "2025-01-06T15:01:00Z",
    }
    assert call(FEEDBACK, {"feedback": [item]}).status_code == 200
    monkeypatch.setenv("LENAGUARD_DATABASE_URL", client.app.state.database.url)
    result = CliRunner().invoke(cli, ["cds", "stats"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("dose.renal"))
    assert line.split()[1:] == ["1", "1", "100%", "0%"]
    result = CliRunner().invoke(cli, ["cds", "stats", "--json"])
    import json

    rows = {row["card_type"]: row for row in json.loads(result.output)}
    assert rows["dose.renal"]["acceptance_rate"] == 1.0
