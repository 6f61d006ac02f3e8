"""The KDS order server: the single source of truth for every order."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("terminal-kds")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
