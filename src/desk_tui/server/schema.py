"""Every table, imported in one place so Alembic and tests see the whole schema."""

from desk_tui.server.appointments import models as _appointments  # noqa: F401
from desk_tui.server.auth import models as _auth  # noqa: F401
from desk_tui.server.cards import models as _cards  # noqa: F401
from desk_tui.server.customers import models as _customers  # noqa: F401
from desk_tui.server.database import Base
from desk_tui.server.events import models as _events  # noqa: F401
from desk_tui.server.given import models as _given  # noqa: F401
from desk_tui.server.idempotency import IdempotencyRecord as _idem  # noqa: F401
from desk_tui.server.memberships import models as _memberships  # noqa: F401
from desk_tui.server.packages import models as _packages  # noqa: F401
from desk_tui.server.reference import models as _reference  # noqa: F401
from desk_tui.server.reminders import models as _reminders  # noqa: F401
from desk_tui.server.sales import models as _sales  # noqa: F401

metadata = Base.metadata
