"""Library internals: used only by the compat modules, and still what those were written for.

When a library's internals change, one of these fails with a message naming the module to
update (docs/ARCHITECTURE.md, "Library internals"; docs/DEPENDENCIES.md for the upgrade).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import textual.keys
from textual.app import App
from textual.widget import Widget

import kds_ui.compat.textual
import server.compat.engineio
import server.compat.socketio
from kds_ui.compat.textual import SizedByLayout
from tests.support.client import wait_for

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["kds_contract", "server", "kds_client", "kds_ui", "kds_tui", "admin_tui"]
COMPAT = [ROOT / "server" / "compat", ROOT / "kds_ui" / "compat"]


@pytest.mark.parametrize(
    "check",
    [server.compat.engineio.check, server.compat.socketio.check, kds_ui.compat.textual.check],
    ids=["engineio", "socketio", "textual"],
)
def test_each_compat_module_finds_the_internals_it_was_written_for(check: object) -> None:
    check()  # type: ignore[operator]


def test_key_names_follow_textuals_own_rule() -> None:
    textuals = textual.keys._character_to_key
    differ = {
        chr(c): (kds_ui.compat.textual.key_name(chr(c)), textuals(chr(c)))
        for c in range(ord("!"), ord("~") + 1)
        if kds_ui.compat.textual.key_name(chr(c)) != textuals(chr(c))
    }
    assert not differ, (
        f"kds_ui/compat/textual.py's key_name no longer follows Textual's rule "
        f"(ours, Textual's): {differ}; update kds_ui/compat/textual.py"
    )


async def test_a_widget_sized_by_layout_is_resized_in_one_screen_update() -> None:
    """kds_ui/compat/textual.py's ``SizedByLayout``: a widget resized by a layout is drawn
    at its new size in that layout's screen update, with no second layout pass after it;
    a plain widget (Textual's own ``virtual_size``) still takes two, else the compat class
    is no longer needed."""

    class Plain(Widget):
        pass

    class Sized(SizedByLayout):
        pass

    async def screen_updates(widget: Widget, least: int) -> int:
        app: App[None] = App()
        frames: list[int] = []
        async with app.run_test(size=(40, 10)) as pilot:
            await app.mount(widget)
            widget.styles.width = 10
            await pilot.pause()
            real_display = app._display

            def display(screen: object, renderable: object) -> None:
                if renderable is not None:
                    frames.append(widget.size.width)
                real_display(screen, renderable)  # type: ignore[arg-type]

            app._display = display  # type: ignore[method-assign]
            widget.styles.width = 20
            await wait_for(
                lambda: len(frames) >= least,
                timeout=5,
                message=lambda: (
                    f"{least} screen updates, not {frames}: Textual has changed; "
                    "update kds_ui/compat/textual.py's SizedByLayout (or it may go)"
                ),
            )
            await pilot.pause()
            await pilot.pause()
            assert frames[0] == 20, "drawn at its new size in the first"
        return len(frames)

    assert await screen_updates(Sized(), 1) == 1, "update kds_ui/compat/textual.py's SizedByLayout"
    assert await screen_updates(Plain(), 2) == 2


def _product_files() -> list[Path]:
    return [
        path
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def _our_names(trees: dict[Path, ast.Module]) -> set[str]:
    """Every name our own code defines (functions, classes, attributes, variables...)."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def _library_privates(path: Path, tree: ast.Module, ours: set[str]) -> list[str]:
    found = []
    module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    # A __main__ module runs its command when imported: its classes are not looked at.
    module = (
        None
        if path.name == "__main__.py"
        else importlib.import_module(module_name.removesuffix(".__init__"))
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] not in PRODUCT:
            found += [f"imports {node.module}.{a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in ours:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef) and isinstance(getattr(module, node.name, None), type):
            bases = getattr(module, node.name).__mro__[1:]
            for item in node.body:
                name = getattr(item, "name", "")
                for base in bases:
                    if _private(name) and base.__module__.split(".")[0] not in PRODUCT:
                        if name in vars(base):
                            found.append(f"line {item.lineno}: overrides {base.__name__}.{name}")
                            break
    return found


def _private(name: str) -> bool:
    # SQLAlchemy's Row._mapping and a namedtuple's _asdict are public despite the underscore.
    public = ("_mapping", "_asdict")
    return name.startswith("_") and not name.startswith("__") and name not in public


def test_library_private_names_are_used_only_in_the_compat_modules() -> None:
    trees = {path: ast.parse(path.read_text()) for path in _product_files()}
    ours = _our_names(trees)
    outside = {
        str(path.relative_to(ROOT)): found
        for path, tree in trees.items()
        if not any(path.is_relative_to(compat) for compat in COMPAT)
        and (found := _library_privates(path, tree, ours))
    }
    assert not outside, (
        f"library private names outside server/compat/ and kds_ui/compat/: {outside}; "
        "use a public way, or put the use in the library's compat module"
    )
