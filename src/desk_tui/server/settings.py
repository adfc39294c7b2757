"""What an operator can set about a running server: ``DESK_SERVER_*`` variables and `serve` flags.

Precedence, highest first: the flags of `desk-tui serve` (given as keyword arguments),
``DESK_SERVER_*`` environment variables, the defaults below. Durations take seconds (``3600``),
a unit (``30m``, ``12h``, ``2d``), ``HH:MM:SS`` or ISO 8601 (``PT1H``). Read when `serve` starts,
never at import, so a test or the embedded demo builds its own without touching the environment.

The client keeps its own plain settings model (client/settings.py); pydantic-settings is the
server's, where its weight is paid once per process start and not by every desk.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    Field,
    FieldSerializationInfo,
    FilePath,
    SecretStr,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from desk_tui.server.desk_threads import DESK_THREADS
from desk_tui.server.events import service as events

ENV_PREFIX = "DESK_SERVER_"

#: "90", "90s", "30m", "12h", "2d": how an operator writes a duration in a flag or a variable
_DURATION = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[smhd])?")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

LogLevel = Literal["debug", "info", "warning", "error", "critical"]


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore", populate_by_name=True)

    db_url: str = Field(default="", validation_alias=AliasChoices("db_url", f"{ENV_PREFIX}DB"))
    """SQLAlchemy URL; empty: a SQLite file in the user data dir (``demo.db`` with ``demo``)."""
    demo: bool = False
    """Seed the demo salon into an empty database."""
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    """API worker processes sharing the database and the CPU: each takes its share of both."""
    desk_threads: int = Field(default=DESK_THREADS, ge=1, le=64)
    """Threads per worker for the desk's busiest routes (calendar, search, wallet, redeem, booking,
    cart, sale): a few, because more only wait for each other's interpreter lock."""
    token_ttl: timedelta = timedelta(hours=12)
    """How long a sign-in lasts before the PIN is asked again."""
    sale_hold_timeout: timedelta = timedelta(minutes=30)
    """An open sale's credit and card holds are released after this long without a change."""
    housekeeping_every: timedelta | None = timedelta(minutes=1)
    """How often the server closes idle carts and records expired cards on its own (0 or None:
    never; requests still close idle carts they meet)."""
    event_window: timedelta = events.REPLAY_WINDOW
    """How long the event stream can replay what a reconnecting client missed."""
    log_level: LogLevel = "warning"
    access_log: bool = False
    """One line per request (uvicorn's access log), in the chosen log format."""
    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object per line, each with the request id of the request it is about."""
    forwarded_allow_ips: str = "127.0.0.1,::1"
    """Proxies whose X-Forwarded-For/-Proto are believed (uvicorn's ``forwarded_allow_ips``):
    comma-separated addresses or networks, ``*`` for any. The default trusts a proxy on this host."""
    allowed_hosts: Annotated[list[str], NoDecode] = ["*"]
    """Host headers answered (comma-separated; ``*.example.com`` matches subdomains); others get 400."""
    ssl_certfile: FilePath | None = None
    """PEM certificate (chain) to serve HTTPS with; needs ``ssl_keyfile``."""
    ssl_keyfile: FilePath | None = None
    smtp_host: str = ""
    """The salon's outgoing mail server; empty: no reminder e-mails (housekeeping sends none)."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    """Signs in to the mail server when set (with ``smtp_password``)."""
    smtp_password: SecretStr | None = None
    """Only from DESK_SERVER_SMTP_PASSWORD (no flag: a flag shows in the process list); masked when printed."""
    smtp_from: str = ""
    """The sender address of reminders (the business name is its display name); needed with smtp_host."""
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS before signing in (off only for a server on this host)."""
    reminder_days: int = Field(default=14, ge=0, le=366)
    """A card expiring within this many days (with units left) gets one reminder per expiry date."""

    @field_serializer("smtp_password", when_used="json")
    def _handed_down(self, value: SecretStr | None, info: FieldSerializationInfo) -> str | None:
        # `serve` hands its settings to its workers as JSON (handed_down): they need the password
        # itself; any other dump keeps pydantic's mask.
        if value is None:
            return None
        return value.get_secret_value() if (info.context or {}).get("reveal") else str(value)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("token_ttl", "sale_hold_timeout", "housekeeping_every", "event_window", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        if text in ("", "off", "never", "none"):
            return None  # only housekeeping_every may be off; the others refuse None
        found = _DURATION.fullmatch(text)
        if found is None:
            return value  # HH:MM:SS or ISO 8601, which pydantic reads itself
        return timedelta(seconds=float(found["number"]) * _UNIT_SECONDS[found["unit"] or "s"])

    @field_validator("housekeeping_every")
    @classmethod
    def _no_zero_interval(cls, value: timedelta | None) -> timedelta | None:
        return None if value is not None and value <= timedelta(0) else value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _tls_pair(self) -> ServerSettings:
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("HTTPS needs both ssl_certfile and ssl_keyfile (or neither, for plain HTTP)")
        if self.smtp_host and not self.smtp_from:
            raise ValueError("reminder e-mails need smtp_from (the sender address) with smtp_host")
        return self

    def handed_down(self) -> str:
        """The settings whole, for `serve`'s worker processes: the SMTP password itself included."""
        return self.model_dump_json(context={"reveal": True})

    @property
    def mail_configured(self) -> bool:
        """Reminders can be e-mailed: the housekeeping job sends them only then."""
        return bool(self.smtp_host)

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_certfile is not None else "http"


class GivenSettings(ServerSettings):
    """Settings from the values given and the defaults alone, never the environment: for the
    embedded demo (a desk's own, which must not inherit an operator's DESK_SERVER_*) and for the
    workers of `serve`, which get their supervisor's effective settings whole."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def load_server_settings(**flags: object) -> ServerSettings:
    """The effective settings: flags that are None (not given) leave the environment's value."""
    settings = ServerSettings(**{k: v for k, v in flags.items() if v is not None})  # type: ignore[arg-type]
    if not settings.db_url:
        settings = settings.model_copy(update={"db_url": default_db_url(settings.demo)})
    return settings


def default_db_url(demo: bool) -> str:
    from platformdirs import user_data_path

    folder = user_data_path("desk-tui", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / ('demo.db' if demo else 'desk.db')}"


def safe_url(url: str) -> str:
    """The database URL without its password, for banners, logs and --print-settings."""
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def describe(settings: ServerSettings) -> list[tuple[str, str]]:
    """``(variable, value)`` for every setting, as `serve --print-settings` shows them."""
    rows = []
    for name in ServerSettings.model_fields:
        value = getattr(settings, name)
        env = f"{ENV_PREFIX}DB" if name == "db_url" else f"{ENV_PREFIX}{name.upper()}"
        if name == "db_url":
            shown = safe_url(value)
        elif isinstance(value, timedelta):
            shown = f"{value.total_seconds():g} s"
        elif value is None:
            shown = "off" if name == "housekeeping_every" else "(unset)"
        elif value == "":
            shown = "(unset)"
        elif isinstance(value, SecretStr):
            shown = "********"  # never the password itself, nor its length
        elif isinstance(value, list):
            shown = ",".join(value)
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        else:
            shown = str(value)
        rows.append((env, shown))
    return rows
