"""Where the client keeps its files, and what a user may configure.

Precedence, highest first: explicit overrides (command-line options), ``DESK_*`` environment
variables (``DESK_KEYMAP__GOTO_CALENDAR=f2`` for nested keys), ``config.toml`` in the user
config dir, defaults. ``DESK_HOME`` moves every path under one folder so tests and benchmarks
never touch the real home directory.

Read with tomllib and ``os.environ`` into a plain pydantic model: pydantic-settings did the same
for six fields at the price of ≈6 MiB and a tenth of a second at every start (see make bench).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from desk_tui.client.paths import APP_NAME, CONFIG_FILE, Paths  # noqa: F401 (re-exported)

ENV_PREFIX, NESTED = "DESK_", "__"


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the file or variable to fix."""


class ClientSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    server: str | None = None
    """Base URL of a remote booking API; unset means the embedded demo server."""
    timeout: float = 10.0
    """Seconds before an unanswered request counts as failed."""
    log_file: Path | None = None
    token_file: bool = False
    """Opt-in: keep sign-in tokens in a file only this user can read when no keyring works."""
    ca_bundle: Path | None = None
    """PEM file of the CA an https server's certificate must come from (a salon's private CA)."""
    insecure: bool = False
    """Send PINs over plain http:// to another machine too (a network the user trusts)."""
    quiet_refresh_seconds: int = 60
    keymap: dict[str, str] = {}
    """Binding id → keys, e.g. ``goto_calendar = "f2"``."""
    receipt_printer: str = "none"
    """Where ``p`` on a receipt sends it: ``none``, ``pdf:<folder>``, ``escpos-usb:VID:PID``,
    ``escpos-network:host[:port]`` or ``escpos-file:/dev/usb/lp0`` (client/receipt_printer.py)."""
    receipt_width: int = 48
    """The receipt printer's line in characters: 48 (80 mm paper) or 42."""


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """``DESK_NAME`` → ``name`` (any case), ``DESK_A__B`` → ``{"a": {"b": …}}``; a value of a
    table field (``DESK_KEYMAP``) may be a JSON object."""
    found: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.upper().startswith(ENV_PREFIX):
            continue
        field, _, nested = name[len(ENV_PREFIX):].lower().partition(NESTED)
        if field not in ClientSettings.model_fields:
            continue
        if nested:
            table = found.setdefault(field, {})
            if isinstance(table, dict):
                table[nested] = value
        elif field == "keymap":
            try:
                found[field] = {**json.loads(value), **found.get(field, {})}
            except (ValueError, TypeError) as exc:
                raise SettingsError(f"DESK_KEYMAP is not a JSON object: {exc}") from exc
        else:
            found[field] = value
    return found


def _merged(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win; tables (the keymap) are merged key by key, not replaced."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def load_settings(**overrides: object) -> ClientSettings:
    """Overrides that are None are dropped, so an absent command-line option never hides the
    config file or the environment."""
    config_file = Paths.from_env().config_file
    try:
        from_file = tomllib.loads(config_file.read_text("utf-8"))
    except FileNotFoundError:
        from_file = {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{config_file} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise SettingsError(f"{config_file} cannot be read: {exc}") from exc
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = ClientSettings.model_validate(_merged(from_file, _from_environment(os.environ), given))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise SettingsError(f"The setting {where!r} is not valid: {first.get('msg')} "
                            f"(check {config_file} and DESK_* variables)") from exc
    if settings.server:
        settings.server = settings.server.rstrip("/")
    if settings.ca_bundle is not None:
        settings.ca_bundle = settings.ca_bundle.expanduser()
        if not settings.ca_bundle.is_file():
            raise SettingsError(f"The CA bundle {settings.ca_bundle} does not exist (check --ca-bundle, "
                                f"DESK_CA_BUNDLE and ca_bundle in {config_file})")
    return settings
