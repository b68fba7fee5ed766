"""Problems a gate reports: what is wrong, where, and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing that blocks a release.

    ``what`` says what is wrong, ``where`` names the file, package or line, and
    ``fix`` says how to make it right. Rendered as one paragraph.
    """

    what: str
    where: str
    fix: str

    def render(self) -> str:
        return f"{self.where}: {self.what}\n  fix: {self.fix}"


def render_problems(problems: Iterable[Problem]) -> str:
    """All problems, one paragraph each, separated by blank lines."""
    return "\n\n".join(problem.render() for problem in problems)
