"""Names by id for the views: every name one answer needs, in one statement.

Names are remembered for the session (one request): a redemption's entry, its card and its live
event all name them, and no request that shows staff, services or locations renames them. The
signed-in staff member's name and location are known already (the sign-in check read them), so
the staff and place of the request's own writes cost nothing. A request may rename a customer and
then show them, so customers' names are forgotten whenever the session writes a customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from sqlalchemy import bindparam, event, literal, select, union_all
from sqlalchemy.orm import Session

from desk_tui.server.auth.principal import asking
from desk_tui.server.customers.models import Customer
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.reference.models import Location, Service, Staff

Named = type[Customer] | type[Location] | type[Service] | type[Staff]
_REMEMBERED = (Customer, Location, Service, Staff)


def names(s: Session, wanted: Mapping[Named, Iterable[str | None]]) -> dict[Named, dict[str, str]]:
    """``{model: {id: name}}`` for the ids asked for (unknown ids are left out)."""
    found = {model: {x for x in ids if x} for model, ids in wanted.items()}
    known = {model: _remembered(s, model) for model in found}
    missing = {model: ids - known[model].keys() for model, ids in found.items()}
    asked = tuple(model for model, ids in missing.items() if ids)
    if asked:
        by_table = {model.__tablename__: model for model in missing}
        params = {model.__tablename__: sorted(missing[model]) for model in asked}
        for kind, id_, name in _query(asked).all(s, params):
            known[by_table[kind]][id_] = name
    return {model: {x: known[model][x] for x in ids if x in known[model]} for model, ids in found.items()}


@cache
def _query(models: tuple[Named, ...]) -> DriverStatement:
    """The names of some ids of each of these tables (an expanding parameter per table), built once
    per combination: a statement object keeps its SQLAlchemy cache key, one built per call is
    built and keyed again each time."""
    parts = [select(literal(name).label("kind"), t.c.id, t.c.name).where(t.c.id.in_(bindparam(name, expanding=True)))
             for name, t in ((model.__tablename__, model.__table__) for model in models)]
    return DriverStatement(parts[0] if len(parts) == 1 else union_all(*parts))


def names_of(s: Session, model: Named, ids: Iterable[str | None]) -> dict[str, str]:
    return names(s, {model: ids})[model]


def _remembered(s: Session, model: Named) -> dict[str, str]:
    if model not in _REMEMBERED:
        return {}
    known: dict[str, str] = s.info.setdefault(f"desk_tui.names.{model.__tablename__}", {})
    me = asking()
    if me is not None:
        if model is Staff:
            known.setdefault(me.staff_id, me.staff_name)
        elif model is Location and me.location_name is not None:
            known.setdefault(me.location_id, me.location_name)
    return known


def remember(s: Session, model: Named, id_: str | None, name: str | None) -> None:
    """A name the request has read anyway (the service it redeems), for the views that follow."""
    if id_ is not None and name is not None:
        _remembered(s, model)[id_] = name


@event.listens_for(Session, "before_flush")
def _forget_customers(s: Session, context: object, instances: object) -> None:
    if any(isinstance(x, Customer) for x in (*s.dirty, *s.new)):
        s.info.pop(f"desk_tui.names.{Customer.__tablename__}", None)
