"""Typed keys for what the application holds (aiohttp ``AppKey``)."""

from __future__ import annotations

from aiohttp import web

from server.config import Settings
from server.db.engine import Database
from server.readiness import Readiness
from server.realtime import Realtime
from server.scheduler import Scheduler
from server.screens import Screens
from server.service import OrderService

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
SERVICE = web.AppKey("service", OrderService)
REALTIME = web.AppKey("realtime", Realtime)
SCREENS = web.AppKey("screens", Screens)
READINESS = web.AppKey("readiness", Readiness)
SCHEDULER = web.AppKey("scheduler", Scheduler)
