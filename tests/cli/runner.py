"""Running the command line inside the test process, as a user would from a shell."""

from __future__ import annotations

import sys

from lenaguard.cli.app import main


def run(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """Run `lenaguard ARGS`; return the exit code, standard output and standard error."""
    monkeypatch.setattr(sys, "argv", ["lenaguard", *args])
    monkeypatch.setenv("COLUMNS", "200")
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err
