"""Moved to :mod:`desk_tui.server.reference.calendar` (every domain uses it, not only cards);
kept so code written against the old place still imports."""

from desk_tui.server.reference.calendar import business_date, local_midnight, org_zone

__all__ = ["business_date", "local_midnight", "org_zone"]
