"""HTTP only: the checkout cart (API.md "Sales")."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["sales"])
