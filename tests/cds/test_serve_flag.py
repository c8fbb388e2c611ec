"""`lenaguard serve --cds-allow-unsigned` warns and tells every worker (through the
environment) to accept unsigned CDS Hooks calls; without it, nothing changes."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from lenaguard.cli.app import app as cli


def _serve(monkeypatch, tmp_path, *flags: str):
    seen = {}

    def run(*_args, **kwargs):
        seen["allow"] = os.environ.get("LENAGUARD_CDS_ALLOW_UNSIGNED")
        seen["factory"] = kwargs.get("factory")

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setenv("LENAGUARD_HOME", str(tmp_path))
    monkeypatch.delenv("LENAGUARD_DATABASE_URL", raising=False)
    # set then removed: monkeypatch restores the variable's absence afterwards, even though
    # serve sets it in this process
    monkeypatch.setenv("LENAGUARD_CDS_ALLOW_UNSIGNED", "0")
    monkeypatch.delenv("LENAGUARD_CDS_ALLOW_UNSIGNED")
    result = CliRunner().invoke(cli, ["serve", *flags])
    assert result.exit_code == 0, result.output
    return result, seen


def test_allowing_unsigned_calls_warns_and_reaches_the_workers(monkeypatch, tmp_path):
    result, seen = _serve(monkeypatch, tmp_path, "--cds-allow-unsigned")
    assert "WARNING" in result.output and "without a JWT" in result.output
    assert seen == {"allow": "1", "factory": True}


def test_by_default_unsigned_calls_stay_refused(monkeypatch, tmp_path):
    result, seen = _serve(monkeypatch, tmp_path)
    assert "WARNING" not in result.output
    assert seen["allow"] is None


def test_the_flag_does_not_leak_out_of_the_tests():
    assert "LENAGUARD_CDS_ALLOW_UNSIGNED" not in os.environ
