"""Every logger is a child of ``clinfile``, so its records are redacted and reach the log file."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "clinfile"


def _modules(layer: str) -> list[str]:
    package = f"clinfile.{layer}"
    names = [package]
    for info in pkgutil.walk_packages([str(PACKAGE / layer)], prefix=f"{package}."):
        names.append(info.name)
    return names


def _in_the_tree(name: str) -> bool:
    return name == "clinfile" or name.startswith("clinfile.")


def test_every_module_logs_under_clinfile():
    outside = []
    for name in _modules("app") + _modules("db") + _modules("ui"):
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, logging.Logger) and not _in_the_tree(value.name):
                outside.append(f"{name}.{attribute} logs as {value.name!r}")
    assert outside == []


def test_no_logger_is_named_after_a_module_path():
    for name in _modules("app") + _modules("db") + _modules("ui"):
        importlib.import_module(name)
    stray = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] in {"app", "db", "ui"}]
    assert stray == []
