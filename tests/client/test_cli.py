"""``kds-order`` as a shell script sees it: output, messages on stderr and exit codes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.cells import cell_len

from kds_client import KdsRest
from kds_client.cli import (
    EXIT_AUTH,
    EXIT_CONFLICT,
    EXIT_NOT_FOUND,
    EXIT_OFFLINE,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    UsageError,
    parse_item,
)
from tests.support.server import REPO, ServerProcess, free_port


def kds_order(
    server: ServerProcess | None,
    *args: str,
    token: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kds_client ARGS`` against ``server`` with its admin token."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("KDS_")}
    base_env["KDS_DATA_DIR"] = "/nonexistent-kds-test-dir"  # never the user's real tokens
    if server is not None:
        base_env["KDS_URL"] = server.url
        base_env["KDS_TOKEN"] = token or server.tokens["admin"]
    return subprocess.run(
        [sys.executable, "-m", "kds_client", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**base_env, **(env or {})},
        cwd=REPO,
        timeout=timeout,
    )


def test_create_from_flags_prints_the_id_and_show_has_it_all(shared_server):
    server = shared_server
    made = kds_order(
        server,
        "create",
        "--item",
        "2x Cheeseburger +no onion +extra cheese @grill",
        "--item",
        "Fries #extra crispy",
        "--table",
        "12",
        "--rush",
        "--notes",
        "Nut allergy!",
    )
    order_id = made.stdout.strip()
    shown = kds_order(server, "show", order_id, "--json")

    assert made.returncode == EXIT_OK, made.stderr
    assert order_id.isdigit()
    assert "created order" in made.stderr
    order = json.loads(shown.stdout)
    assert order["table"] == "12" and order["priority"] == "rush"
    assert order["notes"] == "Nut allergy!"
    assert [(i["name"], i["quantity"], i["modifiers"], i["station"]) for i in order["items"]] == [
        ("Cheeseburger", 2, ["no onion", "extra cheese"], "grill"),
        ("Fries", 1, [], None),
    ]
    assert order["items"][1]["notes"] == "extra crispy"


def test_item_names_keep_escaped_markers_and_leading_digits(shared_server):
    made = kds_order(
        shared_server,
        "create",
        "-i",
        r"Fish \+ Chips @fry",
        "-i",
        "1x 7 Up",
        "-i",
        r"Combo \#2",
        "--json",
    )

    assert made.returncode == EXIT_OK, made.stderr
    items = json.loads(made.stdout)["items"]
    assert [
        (i["name"], i["quantity"], i["modifiers"], i["station"], i["notes"]) for i in items
    ] == [
        ("Fish + Chips", 1, [], "fry", None),
        ("7 Up", 1, [], None, None),
        ("Combo #2", 1, [], None, None),
    ]


def test_create_from_a_json_file_and_from_stdin(shared_server, tmp_path: Path):
    server = shared_server
    body = {"order_type": "takeout", "customer_name": "Maria", "items": [{"name": "Salad"}]}
    path = tmp_path / "order.json"
    path.write_text(json.dumps(body))

    from_file = kds_order(server, "create", "--file", str(path), "--json")
    from_stdin = kds_order(server, "--json", "create", "-f", "-", stdin=json.dumps(body))

    assert from_file.returncode == EXIT_OK and from_stdin.returncode == EXIT_OK
    assert json.loads(from_file.stdout)["customer_name"] == "Maria"
    assert json.loads(from_stdin.stdout)["order_type"] == "takeout"


def test_list_move_and_done_as_a_script_would(shared_server):
    server, tag = shared_server, uuid.uuid4().hex[:8]  # this test's orders: station {tag}
    first = kds_order(server, "create", "-i", f"Soup @{tag}").stdout.strip()
    kds_order(server, "create", "-i", f"Tea @{tag}")

    moved = kds_order(server, "move", first, "preparing")
    done = kds_order(server, "done", first, "1", "--json")
    listed = kds_order(server, "list", "--status", "preparing", "--station", tag, "--json")
    table = kds_order(server, "list", "--open", "--station", tag)

    assert moved.returncode == EXIT_OK
    assert moved.stdout.strip() == f"order {first}: pending -> preparing"
    assert json.loads(done.stdout)["items"][0]["done"] is True
    assert [o["id"] for o in json.loads(listed.stdout)["orders"]] == [int(first)]
    assert table.stdout.splitlines()[0].split()[:2] == ["ID", "STATUS"]
    assert len(table.stdout.splitlines()) == 3


def test_tables_line_up_in_terminal_cells_with_chinese_names(shared_server):
    """A Chinese character takes two cells of a terminal: the columns after it still line
    up (they were padded by characters, so every column after ``担担面`` was three short)."""
    server, tag = shared_server, uuid.uuid4().hex[:8]
    kds_order(server, "create", "-i", f"2x 担担面{tag} @{tag}", "--customer", "王小明")

    listed = kds_order(server, "list", "--station", tag).stdout.splitlines()
    report = kds_order(server, "report", "--tz", "+00:00").stdout.splitlines()

    header, row = listed[0], next(line for line in listed if tag in line)
    assert cell_len(row[: row.index("2x 担担面")]) == cell_len(header[: header.index("ITEMS")])
    assert cell_len(row[: row.index("王小明")]) == cell_len(header[: header.index("TABLE/")])
    sold = next(line for line in report if line.startswith("ITEMS SOLD"))
    ours = next(line for line in report if line.startswith(f"担担面{tag}"))
    assert ours.split()[1:3] == ["2", "1"]
    assert cell_len(ours) == cell_len(sold), "the numbers' column ends where its header does"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("show", "424242"), EXIT_NOT_FOUND, "not found: order 424242"),
        (("move", "{id}", "completed"), EXIT_CONFLICT, "conflict: order {id}: cannot move"),
        (("create", "-i", "0x Burger"), EXIT_USAGE, "invalid input: items.0.quantity"),
        (("create", "-i", "Tea", "--email", "ada@"), EXIT_USAGE, "customer_email"),
        (("edit", "{id}", "--email", "not an address"), EXIT_USAGE, "customer_email"),
        (("create", "--table", "4"), EXIT_USAGE, "needs at least one --item"),
        (("create", "-f", "/no/such/file.json"), EXIT_USAGE, "cannot read /no/such/file.json"),
        (("move", "{id}", "flying"), EXIT_USAGE, "invalid choice: 'flying'"),
        (("create", "-i", "-1x Burger"), EXIT_USAGE, "item '-1x Burger': the count must be 1"),
        (("create", "-i", "2x"), EXIT_USAGE, "item '2x': it has no name; write an item as"),
        (("create", "-i", "Burger @"), EXIT_USAGE, "'Burger @': @ needs a station after it"),
        (("demo", "--rate", "0", "--count", "1"), EXIT_USAGE, "--rate: must be a positive"),
        (("demo", "--rate", "-5", "--count", "1"), EXIT_USAGE, "--rate: must be a positive"),
        (("--timeout", "0", "show", "{id}"), EXIT_USAGE, "--timeout: must be a positive"),
        (("show", "{id}", "--timeout", "-1"), EXIT_USAGE, "--timeout: must be a positive"),
    ],
)
def test_refusals_have_a_message_and_an_exit_code(shared_server, args, code, message):
    order_id = kds_order(shared_server, "create", "-i", "Burger").stdout.strip()

    result = kds_order(shared_server, *(a.format(id=order_id) for a in args))

    assert result.returncode == code
    assert message.format(id=order_id) in result.stderr
    assert result.stdout == ""


def test_tokens_are_checked(shared_server):
    server = shared_server
    refused = kds_order(server, "list", token="not-a-token")
    kitchen = kds_order(server, "delete", "1", token=server.tokens["kitchen"])
    missing = kds_order(None, "--url", server.url, "list")

    assert refused.returncode == EXIT_AUTH and "unauthorized" in refused.stderr
    assert kitchen.returncode == EXIT_AUTH and "forbidden" in kitchen.stderr
    assert missing.returncode == EXIT_AUTH and "no token: pass --token" in missing.stderr


def test_health_needs_no_token(shared_server):
    result = kds_order(None, "--url", shared_server.url, "health")

    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"


@pytest.mark.parametrize(
    ("role", "room", "refusal"),
    [
        (None, "kitchen", "refused the connection: unauthorized"),
        ("pos", "kitchen", "refused to join room 'kitchen': forbidden"),
        ("kitchen", "admin", "refused to join room 'admin': forbidden"),
    ],
)
def test_watch_with_a_refused_token_or_room_says_so_once_and_exits_5(
    shared_server, role, room, refusal
):
    token = shared_server.tokens[role] if role else "kds_not_a_token"

    result = kds_order(
        shared_server, "watch", "--room", room, "--count", "1", token=token, timeout=20
    )

    assert result.returncode == EXIT_AUTH
    assert result.stderr.count("\n") == 1 and refusal in result.stderr
    assert "watch needs a kitchen or admin token" in result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def not_kds() -> Iterator[str]:
    """The URL of an HTTP server that is not a KDS server: it answers 404 to everything."""

    class NotFoundHere(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        do_POST = do_PATCH = do_DELETE = do_GET

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotFoundHere)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


@pytest.mark.parametrize(
    "command",
    [("health",), ("show", "1"), ("watch", "--after", "0"), ("demo", "--count", "1")],
)
def test_a_url_that_is_not_a_kds_server_is_exit_1_and_says_so(shared_server, not_kds, command):
    wrong_path = kds_order(shared_server, "--url", f"{shared_server.url}/api", *command)
    other_server = kds_order(shared_server, "--url", not_kds, *command)

    assert wrong_path.returncode == EXIT_SERVER
    assert (
        f"is {shared_server.url}/api a KDS server? give its base URL, like http://"
        in wrong_path.stderr
    )
    assert other_server.returncode == EXIT_SERVER
    assert f"is {not_kds} a KDS server?" in other_server.stderr


def test_the_local_token_file_is_the_default(shared_server):
    result = kds_order(None, "health", env={"KDS_DATA_DIR": str(shared_server.data_dir)})

    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"


def test_no_server_reachable_is_exit_6_and_failover_uses_the_next(shared_server):
    server = shared_server
    dead = f"http://127.0.0.1:{free_port()}"
    offline = kds_order(None, "--url", dead, "--token", "t", "list")
    failover = kds_order(server, "--url", dead, "--url", server.url, "create", "-i", "Pie")

    assert offline.returncode == EXIT_OFFLINE
    assert "offline: cannot reach the server" in offline.stderr
    assert failover.returncode == EXIT_OK and failover.stdout.strip().isdigit()


def test_a_mistyped_url_is_a_usage_error_that_says_so():
    typo = kds_order(None, "--url", "http://127.0.0.1:50000O", "--token", "kds_secret", "list")
    assert typo.returncode == EXIT_USAGE
    assert "'http://127.0.0.1:50000O' is not a server URL (port can't be converted" in typo.stderr
    assert "kds_secret" not in typo.stderr and "Traceback" not in typo.stderr


def test_watch_prints_changes_as_json_lines(shared_server):
    server = shared_server
    start = json.loads(kds_order(server, "health").stdout)["seq"]
    earlier = kds_order(server, "create", "-i", "Cake").stdout.strip()
    kds_order(server, "move", earlier, "preparing")

    watched = kds_order(server, "watch", "--after", str(start), "--count", "2")
    lines = [json.loads(line) for line in watched.stdout.splitlines()]

    assert watched.returncode == EXIT_OK, watched.stderr
    assert [(e["seq"], e["type"]) for e in lines] == [
        (start + 1, "order:created"),
        (start + 2, "order:statusUpdated"),
    ]
    assert lines[1]["data"]["newStatus"] == "preparing"
    assert "live on" in watched.stderr


def test_demo_creates_orders_at_a_rate(shared_server):
    result = kds_order(shared_server, "demo", "--json", "--rate", "6000", "--count", "3")
    made = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    shown = [kds_order(shared_server, "show", str(order_id)) for order_id in made]

    assert result.returncode == EXIT_OK, result.stderr
    assert len(made) == 3
    assert "3 demo orders created" in result.stderr
    assert all(s.returncode == EXIT_OK for s in shown)


def test_demo_advance_with_a_pos_token_says_it_moves_nothing(shared_server):
    pos = shared_server.tokens["pos"]
    args = ("demo", "--rate", "6000", "--count", "3", "--advance")
    result = kds_order(shared_server, *args, token=pos)
    assert result.returncode == EXIT_OK, result.stderr
    assert "3 demo orders created" in result.stderr
    assert result.stderr.count("warning: --advance moves nothing with this token") == 1
    assert "kitchen or admin token" in result.stderr


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("-1x Burger", "the count must be 1 or more"),
        ("2x", "it has no name"),
        ("2 x  @grill", "it has no name"),
        ("Burger @", "@ needs a station after it"),
        ("Burger +", "+ needs a modifier after it"),
        ("Burger #", "# needs a note after it"),
        ("Burger @grill @fry", "it has two stations"),
        ("Fries #crispy #salty", "it has two notes"),
        (
            "Ribeye # no salt @grill",
            "its note has @grill in it (a note runs to the end of the line: put the station "
            r"before the #, or write \@grill to keep it in the note)",
        ),
    ],
)
def test_item_typos_are_refused_naming_the_problem_and_the_syntax(spec, problem):
    with pytest.raises(UsageError) as refused:
        parse_item(spec)

    assert str(refused.value) == (
        f"item {spec!r}: {problem}; write an item as "
        "'[N x] NAME [+MODIFIER]... [~PREP] [@STATION] [#NOTE]'"
    )


def test_show_writes_times_as_the_api_does_and_json_has_help(shared_server):
    order_id = kds_order(shared_server, "create", "-i", "Toast").stdout.strip()
    shown = kds_order(shared_server, "show", order_id)
    wire = json.loads(kds_order(shared_server, "show", order_id, "--json").stdout)
    usage = kds_order(None, "--help")

    assert f"  created   {wire['created_at']}\n" in shown.stdout
    assert f"  updated   {wire['updated_at']}\n" in shown.stdout
    assert wire["created_at"].endswith("Z")
    assert re.search(r"--json\s+print results as JSON", usage.stdout)


async def test_watch_prints_live_changes_and_ends_cleanly_on_sigterm(shared_server):
    server = shared_server
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDS_")}
    env.update(KDS_URL=server.url, KDS_TOKEN=server.tokens["kitchen"])
    watcher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kds_client",
        "watch",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert watcher.stdout is not None and watcher.stderr is not None
    try:
        async with asyncio.timeout(20):
            assert "live on" in (await watcher.stderr.readline()).decode()
            async with KdsRest(server.url, server.tokens["pos"]) as pos:
                order = await pos.create_order({"items": [{"name": "Ramen"}]})
            line = json.loads(await watcher.stdout.readline())
            watcher.send_signal(signal.SIGTERM)
            code = await watcher.wait()
    finally:
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()

    assert (line["type"], line["order_id"]) == ("order:created", order.id)
    assert line["at"] == order.wire()["updated_at"]
    assert line["data"]["order"]["items"][0]["name"] == "Ramen"
    assert code == EXIT_OK


def test_create_prints_the_customers_tracking_link_and_show_has_it(shared_server):
    made = kds_order(
        shared_server, "create", "--item", "Tea", "--customer", "Ada", "--email", "ada@example.com"
    )
    order_id = made.stdout.strip()
    shown = kds_order(shared_server, "show", order_id)
    as_json = json.loads(kds_order(shared_server, "show", order_id, "--json").stdout)
    code = as_json["tracking_code"]

    link = f"{shared_server.url}/track/{code}"
    assert made.returncode == EXIT_OK, made.stderr
    assert order_id.isdigit(), "stdout stays the id alone, for scripts"
    assert f"tracking link for the customer: {link}" in made.stderr
    assert f"  tracking  {link}" in shown.stdout
    assert as_json["customer_email"] == "ada@example.com"
    assert "  email     ada@example.com" in shown.stdout
