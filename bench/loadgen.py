"""A load generator: POST /api/orders, open-loop at a steady rate or closed-loop at a fixed
concurrency, in its own process. Each order's notes carry ``bench i=<n> t=<time.time()>``
so that the clients can time its broadcast.

    python -m bench.loadgen URL TOKEN OUT --rate 20 --duration 10 [--first 0]
    python -m bench.loadgen URL TOKEN OUT --concurrency 32 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

ITEMS = [
    {
        "name": "Double smash burger",
        "quantity": 2,
        "modifiers": ["no onion", "extra pickles", "cheddar"],
        "notes": "well done, sauce on the side",
        "station": "grill",
    },
    {
        "name": "Truffle fries",
        "quantity": 1,
        "modifiers": ["large", "parmesan"],
        "notes": None,
        "station": "fry",
    },
    {
        "name": "Caesar salad",
        "quantity": 1,
        "modifiers": ["no croutons", "add chicken"],
        "notes": "dressing on the side",
        "station": "cold",
    },
    {
        "name": "Chocolate milkshake",
        "quantity": 2,
        "modifiers": ["oat milk"],
        "notes": None,
        "station": "bar",
    },
    {
        "name": "Grilled halloumi wrap",
        "quantity": 1,
        "modifiers": ["gluten free wrap"],
        "notes": "cut in half",
        "station": "grill",
    },
]


def order_body(index: int, email: bool = False) -> dict:
    """A realistic order (its broadcast is about 1.2 KB), stamped for timing; with
    ``email``, a customer address (the server emails it when it sends emails)."""
    extra = {"customer_email": f"guest{index}@example.com"} if email else {}
    return {
        **extra,
        "order_type": "dine_in",
        "table": f"T{index % 40 + 1}",
        "customer_name": "Benchmark guest",
        "priority": "rush" if index % 10 == 0 else "normal",
        "notes": f"nut allergy; bench i={index} t={time.time():.6f}",
        "items": ITEMS,
        "total_cents": 4250,
    }


async def run(args: argparse.Namespace) -> dict:
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sent: list[int] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def post(index: int) -> None:
            body = json.dumps(order_body(index, args.email))
            started = time.perf_counter()
            try:
                async with session.post(f"{args.url}/api/orders", data=body) as answer:
                    await answer.read()
                    code = str(answer.status)
            except aiohttp.ClientError as exc:
                code = type(exc).__name__
            if code == "201":
                latencies.append(time.perf_counter() - started)
                sent.append(index)
            statuses[code] = statuses.get(code, 0) + 1

        started = time.perf_counter()
        if args.rate:
            tasks = []
            count = int(args.rate * args.duration)
            for n in range(count):
                delay = started + n / args.rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(post(args.first + n)))
            await asyncio.gather(*tasks)
        else:
            counter = iter(range(args.first, args.first + 10**9))
            deadline = started + args.duration

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    await post(next(counter))

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "sent": sent, "elapsed": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("out")
    parser.add_argument("--rate", type=float, default=0.0, help="orders/s (open loop)")
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop requests")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--first", type=int, default=0, help="index of the first order")
    parser.add_argument("--email", type=int, default=0, help="1: orders carry a customer_email")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
