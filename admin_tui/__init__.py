"""The admin console: every order live, filters, paging, history, actions and the day's figures.

A Textual app for managers, usable over SSH in an 80x24 terminal. All I/O goes through
``kds_client``; the widgets hear about it through messages and run network calls in workers.
"""

from admin_tui.app import AdminApp, make_app

__all__ = ["AdminApp", "make_app"]
