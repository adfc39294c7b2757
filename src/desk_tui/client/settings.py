"""Where the client keeps its files, and what a user may configure.

Precedence, highest first: explicit overrides (command-line options), ``DESK_*`` environment
variables (``DESK_KEYMAP__GOTO_CALENDAR=f2`` for nested keys), ``config.toml`` in the user
config dir, defaults. ``DESK_HOME`` moves every path under one folder so tests and benchmarks
never touch the real home directory.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from desk_tui.client.paths import APP_NAME, CONFIG_FILE, Paths  # noqa: F401 (re-exported)


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the file or variable to fix."""


class ClientSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DESK_", env_nested_delimiter="__", extra="ignore")

    server: str | None = None
    """Base URL of a remote booking API; unset means the embedded demo server."""
    timeout: float = 10.0
    """Seconds before an unanswered request counts as failed."""
    log_file: Path | None = None
    token_file: bool = False
    """Opt-in: keep sign-in tokens in a file only this user can read when no keyring works."""
    quiet_refresh_seconds: int = 60
    keymap: dict[str, str] = {}
    """Binding id → keys, e.g. ``goto_calendar = "f2"``."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=Paths.from_env().config_file)
        return init_settings, env_settings, toml


def load_settings(**overrides: object) -> ClientSettings:
    """Overrides that are None are dropped, so an absent command-line option never hides the
    config file or the environment."""
    # Any: the values are checked by ClientSettings itself, field by field.
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = ClientSettings(**given)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{Paths.from_env().config_file} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise SettingsError(f"The setting {where!r} is not valid: {first.get('msg')} "
                            f"(check {Paths.from_env().config_file} and DESK_* variables)") from exc
    if settings.server:
        settings.server = settings.server.rstrip("/")
    return settings
