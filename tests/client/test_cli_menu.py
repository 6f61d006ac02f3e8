"""``kds-order`` for scheduled orders and the menu: ``create --due``, items with ``~PREP``,
``menu set|show|suggest``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kds_client.cli import EXIT_OK, EXIT_USAGE
from tests.client.test_cli import kds_order
from tests.support.server import ServerProcess

MENU_TOML = """
[[items]]
name = "Steak"
station = "grill"
prep = "12m"

[[items]]
name = "Caesar salad"
station = "cold"
prep_seconds = 240
"""


def test_a_menu_from_toml_and_an_order_due_at_a_local_clock_time(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    server = shared_server
    menu_file = tmp_path / "menu.toml"
    menu_file.write_text(MENU_TOML)
    assert kds_order(server, "menu", "set", str(menu_file)).returncode == EXIT_OK
    shown = kds_order(server, "menu", "show")
    assert shown.stdout.splitlines()[1:] == [
        "    12m  @grill  Steak",
        "     4m  @cold  Caesar salad",
    ]

    zone = "America/New_York"
    soon = (datetime.now(ZoneInfo(zone)) + timedelta(hours=2)).replace(second=0, microsecond=0)
    made = kds_order(
        server,
        "--json",
        "create",
        "--item",
        "steak",
        "--item",
        "Caesar salad",
        "--item",
        "Cola ~30s",
        "--due",
        f"{soon:%H:%M}",
        env={"TZ": zone},
    )
    assert made.returncode == EXIT_OK, made.stderr
    order = json.loads(made.stdout)
    assert order["status"] == "scheduled"
    due = datetime.fromisoformat(order["due_at"].replace("Z", "+00:00"))
    assert due == soon.astimezone(UTC), "HH:MM is the machine's local time"
    assert [i["prep_seconds"] for i in order["items"]] == [720, 240, 30]
    shown = kds_order(server, "show", str(order["id"])).stdout
    assert "~12m @grill" in shown and "due       " in shown

    passed = (datetime.now(ZoneInfo(zone)) - timedelta(minutes=30)).strftime("%H:%M")
    late = kds_order(server, "create", "--item", "Pie", "--due", passed, env={"TZ": zone})
    assert late.returncode == EXIT_USAGE and "has passed today" in late.stderr
    typo = kds_order(server, "create", "--item", "Pie ~12")
    assert typo.returncode == EXIT_USAGE and "~12m or ~240s" in typo.stderr


def test_menu_suggest_shows_and_applies_only_when_asked(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    server = shared_server
    menu_file = tmp_path / "menu.json"
    menu_file.write_text(json.dumps([{"name": "Toast", "prep_seconds": 600}]))
    assert kds_order(server, "menu", "set", str(menu_file)).returncode == EXIT_OK
    order_id = kds_order(server, "create", "--item", "toast").stdout.strip()
    for status in ("preparing", "ready"):
        assert kds_order(server, "move", order_id, status).returncode == EXIT_OK

    shown = kds_order(server, "--json", "menu", "suggest", "--days", "1")
    toast = next(s for s in json.loads(shown.stdout)["items"] if s["name"] == "Toast")
    assert toast["menu_prep_seconds"] == 600 and toast["n"] == 1
    assert kds_order(server, "--json", "menu", "show").stdout.count('"prep_seconds":600') == 1

    few = kds_order(server, "menu", "suggest", "--apply", "--days", "1")
    assert few.stdout.strip() == "nothing to change", "one sample is fewer than the 5 needed"
    applied = kds_order(server, "menu", "suggest", "--apply", "--min-samples", "1")
    assert applied.stdout.startswith("Toast: 10m -> "), applied.stdout
    menu = json.loads(kds_order(server, "--json", "menu", "show").stdout)
    assert menu["items"][0]["prep_seconds"] == round(toast["median_s"])

    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"items": [{"name": "Tea"}, {"name": " TEA"}]}))
    refused = kds_order(server, "menu", "set", str(twice))
    assert refused.returncode == EXIT_USAGE and "items.1.name" in refused.stderr
