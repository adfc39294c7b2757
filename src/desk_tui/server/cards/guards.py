"""A router-wide guard: path and query parameters with a NUL character are a 422, not a 500.

PostgreSQL text cannot hold U+0000, so an id like ``crd_%00`` would otherwise fail inside the
database driver. Bodies are covered by ``contract.packages.TextRequest``. This belongs at the
application level in the end (every domain has the same exposure); until then the package,
card and report routers depend on it.
"""

from __future__ import annotations

from fastapi import Request

from desk_tui.server.errors import DomainError


def reject_nul(request: Request) -> None:
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value) or "\x00" in name:
            raise DomainError("validation_error", f"{name}: may not contain the NUL character.")
