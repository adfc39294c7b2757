"""Where the client keeps its files, and what a user may configure.

Precedence, highest first: explicit overrides (command-line options), ``DESK_*`` environment
variables (``DESK_KEYMAP__GOTO_CALENDAR=f2`` for nested keys), ``config.toml`` in the user
config dir, defaults. ``DESK_HOME`` moves every path under one folder so tests and benchmarks
never touch the real home directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs
from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

APP_NAME = "desk-tui"
CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    state_dir: Path

    @classmethod
    def from_env(cls) -> Paths:
        home = os.environ.get("DESK_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(config_dir=root / "config", data_dir=root / "data", cache_dir=root / "cache",
                       log_dir=root / "log", state_dir=root / "state")
        dirs = PlatformDirs(APP_NAME, appauthor=False)
        return cls(config_dir=dirs.user_config_path, data_dir=dirs.user_data_path, cache_dir=dirs.user_cache_path,
                   log_dir=dirs.user_log_path, state_dir=dirs.user_state_path)

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def log_file(self) -> Path:
        return self.log_dir / "desk-tui.log"


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
    given = {k: v for k, v in overrides.items() if v is not None}
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
