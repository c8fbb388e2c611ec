"""What `lenaguard assess` reads: case files, directories of case files, and standard input.

The command's arguments become an ordered list of `Source`s. A directory stands for the case
files directly inside it (*.yaml, *.yml, *.json, sorted by name; sub-folders are not entered,
so a folder of cases can keep, say, an `archive/` beside them). A directory without any case
file becomes a source that fails with a message, so no input is ever silently skipped.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from lenaguard.errors import InputError

STDIN = "-"
CASE_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


@dataclass(frozen=True)
class Source:
    """One input: its name as shown to the user, and where its text comes from.

    `text` is set for standard input (read once by the parent process); `problem` is set when
    the input is already known to be unusable. Otherwise the file at `name` is read when the
    case is assessed, in whichever process does the work.
    """

    name: str
    text: str | None = None
    problem: str | None = None

    def error(self) -> InputError:
        """The InputError of a source that has a problem."""
        return InputError([("(file)", self.problem or "unusable input")], source=self.name)


def case_files(directory: Path) -> list[Path]:
    """The case files directly inside `directory`, sorted by name."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in CASE_SUFFIXES and path.is_file()
    )


def expand(arguments: list[str]) -> tuple[list[Source], bool]:
    """The sources named by the arguments, in order, and whether a directory was among them."""
    sources: list[Source] = []
    saw_directory = False
    stdin_text: str | None = None
    for argument in arguments:
        if argument == STDIN:
            if stdin_text is None:
                stdin_text = sys.stdin.read()
            sources.append(Source(STDIN, text=stdin_text))
            continue
        path = Path(argument)
        if not path.is_dir():
            sources.append(Source(argument))
            continue
        saw_directory = True
        try:
            found = case_files(path)
        except OSError as exc:
            sources.append(Source(argument, problem=f"cannot read this folder: {exc.strerror}"))
            continue
        if not found:
            suffixes = ", ".join(f"*{suffix}" for suffix in sorted(CASE_SUFFIXES))
            sources.append(Source(argument, problem=f"no case files ({suffixes}) in this folder"))
        sources += [Source(str(file)) for file in found]
    return sources, saw_directory
