"""The kitchen display: a Textual app for the screen in the kitchen (``kds-kitchen``)."""

from kds_tui.app import KitchenApp, make_app
from kds_tui.config import Settings

__all__ = ["KitchenApp", "Settings", "make_app"]
