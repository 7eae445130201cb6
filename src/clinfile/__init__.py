"""Clinfile: clinical photographs in encrypted custody, filed with consent.

Three layers, each importing only the one below it: ``clinfile.ui`` (the
PySide6 window), ``clinfile.app`` (the rules and services) and ``clinfile.db``
(the SQLCipher index).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clinfile")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
