"""What is wrong with a form's fields, as one sentence for its status line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class FormProblem(ValueError):
    """Raised by a form's parsing; the dialog shows it and keeps everything typed."""

    @classmethod
    def from_validation(cls, exc: ValidationError) -> FormProblem:
        """The first thing a request model refused, as "Field name: what is wrong."."""
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "form"
        return cls(f"{field.replace('_', ' ').capitalize()}: {first['msg'].removeprefix('Value error, ')}.")
