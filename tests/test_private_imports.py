"""A module's private names (``_name``) are its own: no other module of ours imports them.
A name another module needs is public, with a docstring saying what it is."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["kds_contract", "server", "kds_client", "kds_ui", "kds_tui", "admin_tui"]


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                ours = isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0]
                if isinstance(node, ast.ImportFrom) and ours in PRODUCT:
                    found += [
                        f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")
                    ]
    assert not found, f"private names imported from another module (make them public): {found}"
