"""Where the client keeps its files (platformdirs), importable without pydantic.

Kept apart from the settings so the app can find its folders, and paint, before the settings
machinery is imported. ``DESK_HOME`` moves every path under one folder (tests, benchmarks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

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
    def last_user_file(self) -> Path:
        """Who signed in last to each server (client/tokens.py); not a secret. Here, apart from
        the tokens, so the app can look for it before pydantic is imported."""
        return self.state_dir / "last-user.json"

    @property
    def intents_dir(self) -> Path:
        """Writes still waiting for a definitive answer (client/intents.py): user data, not cache —
        clearing the cache must not make a retried booking a second one."""
        return self.data_dir / "intents"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "desk-tui.log"
