"""Orders in the scripts and sizes a kitchen's screens meet: Chinese, emoji, combining
accents, Hebrew and Arabic, long names, a 999-character note, a 60-item ticket."""

from __future__ import annotations

from typing import Any

from kds_contract import Order
from tests.kds_tui.fakes import order

LONG_NOTE = ("Please take care with this order and keep it apart from the others. " * 15)[
    :978
] + " SEVERE PEANUT ALLERGY"


def every_script() -> list[Order]:
    """A lunch rush written in several scripts, every ticket with something to lose: Chinese,
    Japanese and emoji in names, modifiers and notes, combining accents, Hebrew and Arabic."""
    return [
        order(
            1,
            age=700,
            table="9",
            items=[
                {"name": "宫保鸡丁 少辣 不要葱 花生严重过敏", "station": "wok"},
                {"name": "Burger 🍔🍔🍔🍔🍔 NO CHEESE", "quantity": 2, "station": "wok"},
            ],
        ),
        order(
            2,
            age=650,
            notes="Birthday candle",
            items=[
                {
                    "name": "Cre\u0300me bru\u0302le\u0301e",  # accents as combining marks
                    "modifiers": ["sans sucre", "e\u0301xtra vanille"],
                    "notes": "#SESAME ALLERGY",
                    "station": "pastry",
                }
            ],
        ),
        order(
            3,
            age=600,
            order_type="takeout",
            table=None,
            customer_name="נועה כהן",
            items=[
                {"name": "שקשוקה חריפה", "modifiers": ["בלי בצל"], "notes": "אלרגיה לבוטנים"},
                {"name": "فلافل بالطحينة", "modifiers": ["بدون ثوم"], "notes": "حساسية السمسم"},
            ],
        ),
        order(
            4,
            age=550,
            priority="rush",
            items=[
                {
                    "name": "Slow-Braised Heritage Pork Belly with Apple Cider Glaze and Crackling",
                    "modifiers": ["NO crackling salt", "sauce on the side"],
                    "notes": "Well done, NO pink at all",
                    "station": "grill",
                }
            ],
        ),
        order(5, age=500, table="14", notes=LONG_NOTE, items=[{"name": "Pad thai 🌶🌶"}]),
        *[
            order(n, age=500 - n, items=[{"name": f"Dish {n}", "modifiers": ["no onion"]}])
            for n in range(6, 12)
        ],
        order(
            12,
            age=480,
            table="7",
            notes="不要味精 🚫 NO MSG",
            items=[
                {
                    "name": "麻婆豆腐 🌶🌶",
                    "modifiers": ["少辣 🌶", "加米饭"],
                    "notes": "芝麻过敏 SESAME",
                },
                {"name": "ラーメン", "modifiers": ["ネギ抜き 🧅"], "notes": "えびアレルギー"},
            ],
        ),
    ]


def sixty_items() -> Order:
    """A party's order: 60 items and a shellfish allergy."""
    items: list[dict[str, Any]] = [{"name": f"Tapas {n}", "station": "cold"} for n in range(60)]
    return order(29, age=300, table="22", notes="SHELLFISH ALLERGY", items=items)


def texts_of(o: Order) -> list[str]:
    """Every text a cook must see on an order's ticket, each to be read in its order."""
    table = o.table or ""
    texts = [o.notes or "", o.customer_name or "", f"T{table}" if table.isdigit() else table]
    for item in o.items:
        texts += [item.name, *item.modifiers, item.notes or ""]
    return [text for text in texts if text.strip()]


def words_of(o: Order) -> list[str]:
    """Every word a cook must see on an order's ticket."""
    return [word for text in texts_of(o) for word in text.split()]
