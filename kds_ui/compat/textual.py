"""Textual's internals, in one place. Written against Textual 8.2.8.

- ``FramesOnlyCrashReport`` replaces ``App._fatal_error``, which Textual calls on an
  unhandled exception, to report the frames without their local variables (a token is
  among them). It reports through the public ``App.panic``.

- ``forwarded_key`` makes a key event that a screen hands on to a widget of another screen
  (keys typed ahead of a dialog) as the app would forward it, marked with the private
  ``Message._set_forwarded``: an unmarked key that bubbles back up to the App is taken as
  newly typed and sent round again.

- ``SizedByLayout`` keeps a widget whose size the layout alone decides from asking for a
  second layout pass after each resize. Textual's ``Widget._size_updated`` sets the widget's
  ``virtual_size`` after every layout (for a widget that does not scroll, its size), and
  ``Widget.virtual_size`` is a reactive that asks for a layout (and a repaint) when it
  changes: every widget the layout resized asked for another layout, a frame later, that
  put everything where it already was (the kitchen display's all-day panel: two or three
  screen updates where one draws it all).

``key_name`` follows Textual's own rule for naming a character's key (its private
``textual.keys._character_to_key``) from the public tables; tests/test_compat.py compares
the two.
"""

from __future__ import annotations

import inspect
import unicodedata
from importlib.metadata import version

import textual.keys
from rich.traceback import Traceback
from textual import events
from textual.app import App, ReturnType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget

TESTED = "8.2.8"
HERE = "kds_ui/compat/textual.py"


class CompatError(AssertionError):
    """Textual's internals are not what this module was written against."""


class FramesOnlyCrashReport(App[ReturnType]):
    """An App whose crash report shows the frames only, never their local variables."""

    def _fatal_error(self) -> None:
        self.bell()
        self.panic(Traceback(show_locals=False, width=None))


class SizedByLayout(Widget):
    """A widget (mixin) whose size is the layout's alone: where it is and how big are
    worked out from the styles of it and of its parent, never from what it shows (a fixed
    or fractional width and height; an ``auto`` height worked out in the same layout).

    Textual sets ``virtual_size`` from the layout that resized it (``_size_updated``); the
    region it covers is repainted by that same layout. Here the reactive asks for nothing
    more: no second layout, no second repaint. A widget that sets its own ``virtual_size``
    (one that scrolls its content) must not use this. Put it last among a class's bases:
    Textual follows the first base for the type names its styles match
    (``class Columns(Horizontal, SizedByLayout)`` is still styled as a ``Horizontal``).
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


def key_name(character: str) -> str:
    """The name Textual gives the key of one character (``?`` is ``question_mark``)."""
    if character.isalnum():
        name = character
    else:
        try:
            name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            name = textual.keys.ASCII_KEY_NAMES.get(character, character)
    return textual.keys.KEY_NAME_REPLACEMENTS.get(name, name)


def forwarded_key(event: events.Key) -> events.Key:
    """A new key event like ``event``, marked as forwarded by the app."""
    key = events.Key(event.key, event.character)
    key._set_forwarded()
    return key


def check() -> None:
    """Fail, naming this module, if Textual's internals used here have changed."""
    if not callable(getattr(Message, "_set_forwarded", None)):
        fail("has no Message._set_forwarded")
    if not callable(getattr(App, "_fatal_error", None)):
        fail("has no App._fatal_error")
    if not callable(getattr(App, "panic", None)):
        fail("has no App.panic")
    reactive = vars(Widget).get("virtual_size")
    if not isinstance(reactive, Reactive) or not hasattr(reactive, "_layout"):
        fail("has no Widget.virtual_size reactive")
    size_updated = getattr(Widget, "_size_updated", None)
    if not callable(size_updated) or "self.virtual_size = " not in inspect.getsource(size_updated):
        fail("no longer sets virtual_size in Widget._size_updated")


def fail(what: str) -> None:
    """Raise ``CompatError`` saying that this module needs updating, and why."""
    raise CompatError(
        f"{HERE} was written against Textual {TESTED}; the installed Textual "
        f"{version('textual')} {what}: update {HERE} for it (and its bound in pyproject.toml)"
    )
