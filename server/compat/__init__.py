"""The only modules that use private names of the server's libraries, one per library.

Each names the releases it was checked against and has a ``check()`` that
``tests/test_compat.py`` runs: when a library's internals change, that test fails naming
the module to update (docs/ARCHITECTURE.md, "Library internals").
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any


class CompatError(AssertionError):
    """A library's internals are not what a compat module was written against."""


def fail(module: str, library: str, tested: str, what: str) -> None:
    """Raise ``CompatError`` saying which module to update, and why."""
    raise CompatError(
        f"{module} was written against {library} {tested}; the installed {library} "
        f"{version(library)} {what}: update {module} for it (and its bound in pyproject.toml)"
    )


def require(module: str, library: str, tested: str, owner: Any, *names: str) -> None:
    """Fail, naming ``module``, unless ``owner`` has every one of ``names``."""
    missing = [name for name in names if not hasattr(owner, name)]
    if missing:
        owner_name = getattr(owner, "__qualname__", type(owner).__qualname__)
        fail(module, library, tested, f"has no {owner_name}.{', '.join(missing)}")
