"""HTTP only: membership plans and customers' enrolments (API.md "Memberships")."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["memberships"])
