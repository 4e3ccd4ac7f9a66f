"""The engine's error vocabulary: input errors that name the file, row and column of
every bad value, all at once; and internal errors, which are bugs to report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is and why it is wrong."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [p for p in (self.file, f"row {self.row}" if self.row is not None else None,
                             f"column {self.column}" if self.column else None) if p]
        return f"{self.message} — {', '.join(where)}" if where else self.message

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class InputError(ValueError):
    """Raised with every problem found in an input, not only the first one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InternalError(RuntimeError):
    """A bug in fieldweek, never in the input: the caller reports it with an error id
    instead of telling a person to fix the input or to allow more time."""


class ModelInvalid(InternalError):
    """CP-SAT refused the model it was given (status MODEL_INVALID): the model was built
    wrong. Carries the solver's own validation message."""

    def __init__(self, validation: str):
        self.validation = validation
        super().__init__(f"CP-SAT found the model invalid: {validation or 'no reason given'}")


def new_error_id() -> str:
    """A short id that names one internal error in a log and in the message a person reports."""
    return uuid.uuid4().hex[:12]
