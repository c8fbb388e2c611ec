"""Where reports go: the console settings, `--plain` without boxes or colour, and the pager.

A report is rendered to text first, with the settings of the real standard output (width,
colours, terminal or not), so the same text can be written, paged, or made by a worker process
of a batch run. `--plain` is one setting chosen here, not a second set of render functions: a
no-colour console whose render hook takes the boxes off panels and tables, so the report can
be pasted into a clinical note.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from rich.box import Box
from rich.console import Console, ConsoleRenderable, Group, RenderHook
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

# A box drawn with spaces: tables keep their columns, their header gap and the gap between
# rows (show_lines), with no line-drawing characters.
BLANK_BOX = Box("    \n    \n    \n    \n    \n    \n    \n    \n", ascii=True)

PAGER_DEFAULTS = {"LESS": "FRX"}
"""As git does: less quits on a short text (F), passes colours (R), keeps the screen (X)."""


@dataclass(frozen=True)
class ReportStyle:
    """How reports look, as plain data a worker process can rebuild its console from."""

    width: int
    height: int
    color_system: str | None
    terminal: bool
    plain: bool

    @classmethod
    def for_stdout(cls, *, plain: bool) -> ReportStyle:
        """The style of the real standard output (rich detects width, colours, NO_COLOR)."""
        console = Console(color_system=None) if plain else Console()
        return cls(
            width=console.width,
            height=console.height,
            color_system=None if plain else console.color_system,
            terminal=console.is_terminal,
            plain=plain,
        )

    def render(self, draw: Callable[[Console], object]) -> str:
        """What `draw` prints on a console of this style, as text (ANSI codes included)."""
        file = io.StringIO()
        draw(self.console(file))
        text = file.getvalue()
        return _strip_line_ends(text) if self.plain else text

    def console(self, file: io.StringIO) -> Console:
        """A console writing to `file` with this style (hand it to the report functions)."""
        console = Console(
            file=file,
            width=self.width,
            height=self.height,
            color_system=self.color_system,  # type: ignore[arg-type]
            force_terminal=self.terminal,
            legacy_windows=False,
            no_color=self.plain,
            emoji=False,  # clinical text is printed as written: ':name:' stays as it is
        )
        if self.plain:
            console.push_render_hook(_Unboxed())
        return console

    def separator(self, title: str) -> Rule:
        """The line between two reports of a batch, naming the next input."""
        return Rule(Text(title), characters="=" if self.plain else "━", style="bold")


class _Unboxed(RenderHook):
    """Take the boxes off a report: panels become a title line, tables lose their lines."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_unbox(renderable) for renderable in renderables]


def _unbox(renderable: ConsoleRenderable) -> ConsoleRenderable:
    if isinstance(renderable, Group):
        return Group(*(_unbox(part) for part in renderable.renderables))  # type: ignore[arg-type]
    if isinstance(renderable, Panel):
        title = renderable.title
        heading = [Text.from_markup(title) if isinstance(title, str) else title] if title else []
        return Group(*heading, renderable.renderable, Text())
    if isinstance(renderable, Table):
        renderable.box = BLANK_BOX
        renderable.show_edge = False
        renderable.title_justify = "left"
        return Group(renderable, Text())
    return renderable


def _strip_line_ends(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal: a report is never paged into a pipe or a file."""
    return sys.stdout.isatty()


def write(text: str, *, page: bool, height: int) -> None:
    """Write text to standard output, through the pager when `page` and it is taller than
    the terminal. Callers decide `page`: a terminal, no --json, no --no-pager.
    """
    if page and text.count("\n") > height:
        _page(text)
    else:
        sys.stdout.write(text)


def _page(text: str) -> None:
    """Show text in the system pager: rich's, which is pydoc's (honours PAGER and MANPAGER)."""
    from rich.pager import SystemPager

    for name, value in PAGER_DEFAULTS.items():
        os.environ.setdefault(name, value)
    SystemPager().show(text)
