"""Where Clinfile keeps its per-computer files (not patient data: that is in the vault)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs(appname="Clinfile", appauthor="Clinfile")


def config_dir() -> Path:
    """Per-user configuration: which vault this workstation opens."""
    return Path(_DIRS.user_config_dir)


def log_dir() -> Path:
    """Logs, with identifiers redacted."""
    return Path(_DIRS.user_log_dir)


def default_vault_dir() -> Path:
    """Where the first-run wizard suggests creating the vault."""
    return Path(_DIRS.user_data_dir) / "vault"
