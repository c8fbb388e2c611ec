"""The command groups of `lenaguard`, made one way.

Help is click's plain text, not drawn with rich: it pastes cleanly into a ticket or a clinical
note, as `ruff --help` and `gh --help` do, and `lenaguard --help` starts in about half the
time (rich's help drawing imports its Markdown renderer). `-h` works as well as `--help`, and a
group called without a command shows its help.
"""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["command_group"]

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


def command_group(help: str, **settings: Any) -> typer.Typer:
    """A typer app (the main one or a sub-command group) with lenaguard's conventions."""
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings=HELP_OPTIONS,
        **settings,
    )
