from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

#: Free-text fields are bounded so no input can make the server do unbounded work.
NAME_MAX = 200
TEXT_MAX = 2000


class Wire(BaseModel):
    """Base of every wire model: unknown fields from a newer server are ignored, not fatal."""

    model_config = ConfigDict(extra="ignore", frozen=False)


class Request(BaseModel):
    """Base of request bodies: a typo in a field name is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(Wire, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Problem(Wire):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str = "internal_error"
    errors: list[dict] = Field(default_factory=list)
