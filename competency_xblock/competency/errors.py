"""Collecting every problem in authored content, so Studio can show them all at once."""
from __future__ import annotations

from collections.abc import Iterable

from competency_xblock.core import schemas
from competency_xblock.text import N_, UserFacingError

#: Upper bound of problems reported for one document (keeps the Studio message readable).
MAX_PROBLEMS = 200


class ProblemsError(UserFacingError):
    """Raised when content has one or more problems; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[UserFacingError]) -> None:
        self.problems = list(problems)
        super().__init__(N_("The content has {count} problem(s)."), count=len(self.problems))

    def render_all(self, gettext=lambda s: s) -> list[str]:
        return [p.render(gettext) for p in self.problems]


def at(path: str, problem: UserFacingError) -> UserFacingError:
    """The same problem located under ``path`` (a JSON pointer prefix)."""
    inner = problem.path or ""
    if inner == "/":
        inner = ""
    return UserFacingError(problem.message, path=f"{path}{inner}" or "/", **problem.params)


def schema_problems(name: str, data, prefix: str = "") -> list[UserFacingError]:
    """All violations of ``schemas/<name>.schema.json``, located under ``prefix``."""
    found = schemas.errors(name, data, limit=MAX_PROBLEMS)
    return [at(prefix, p) for p in found] if prefix else found


def raise_if(problems: list[UserFacingError]) -> None:
    if problems:
        raise ProblemsError(problems)
