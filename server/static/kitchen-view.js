// The kitchen board's tickets, drawn from the store: rush first, then by arrival in the
// kitchen (fire time); a timer from the fire time coloured by age; items with modifiers and
// notes; allergies marked; items held until their fire time greyed with a countdown
// (pacing.js); the due time, and PAST DUE after it. No word of an item or a note is ever cut
// or hidden: tickets grow to fit their text and the board scrolls, with a line saying how
// many tickets are below.
import { markAllergens } from "./allergens.js";
import { clock } from "./live.js";
import { HELD_MARK, firesIn, held, heldIds, looks, pastDue, startedAt } from "./pacing.js";

export const LABELS = {
  scheduled: "◷ LATER",
  pending: "○ NEW",
  preparing: "◐ COOKING",
  ready: "● READY",
  completed: "✓ BUMPED",
  cancelled: "✕ CANCELLED",
};
const TYPES = { dine_in: "Dine-in", takeout: "Takeout", delivery: "Delivery" };

export function sameStation(item, station) {
  return station === null || (item.station !== null && item.station.toLowerCase() === station.toLowerCase());
}

export function stationItems(order, station) {
  return order.items.filter((item) => sameStation(item, station));
}

/** Whether a board shows the order: open, with work for it (terminal: shows()). A ticket
 *  whose station items are all held is shown from the order's fire time, so the cook sees
 *  what is coming. */
function shows(order, station, open) {
  if (!open.includes(order.status)) return false;
  const items = stationItems(order, station);
  return station === null ? items.length > 0 : items.some((item) => !item.done);
}

/** Rush first, then by arrival in the kitchen (terminal: sort_key). */
function boardOrder(a, b) {
  const rush = (a.priority === "rush" ? 0 : 1) - (b.priority === "rush" ? 0 : 1);
  return rush || Date.parse(startedAt(a)) - Date.parse(startedAt(b)) || a.id - b.id;
}

/** The table (``T4``) or customer an order goes to, if it says (terminal: where_to). */
export function whereTo(order) {
  const oneLine = (text) => text.split(/\s+/).filter(Boolean).join(" ");
  if (order.order_type === "dine_in" && order.table) {
    const table = oneLine(order.table);
    return /^\d+$/.test(table) ? `T${table}` : table;
  }
  return oneLine(order.customer_name || order.table || "");
}

export function ageText(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Board {
  constructor(container, { station, open, thresholds, matcher, nextWord }) {
    this.container = container;
    this.station = station;
    this.open = open; // the statuses whose tickets are on the board
    this.thresholds = thresholds;
    this.matcher = matcher;
    this.nextWord = nextWord; // (order, now) -> what a tap on the ticket does, in words
    this.cards = new Map(); // id -> {node, version, sending, order, looks, held}
    this.sending = new Set();
    this.fired = []; // [{order, items}]: this station's items that reached their fire time
  }

  /** Redraws the tickets whose ids changed (all when ``ids`` is null) and their order, as
   *  of ``now`` (the server's time, ms). */
  render(store, ids, now) {
    const visible = [...store.orders.values()].filter((o) => shows(o, this.station, this.open)).sort(boardOrder);
    const keep = new Set(visible.map((o) => o.id));
    for (const [id, card] of this.cards) {
      if (!keep.has(id)) {
        card.node.remove();
        this.cards.delete(id);
      }
    }
    const dirty = ids === null ? null : new Set(ids);
    for (const order of visible) {
      const card = this.cards.get(order.id);
      const sending = this.sending.has(order.id);
      if (!card || ((dirty === null || dirty.has(order.id)) && (card.version !== order.version || card.sending !== sending))) {
        this.draw(order, sending, now);
      }
    }
    // Put the nodes in board order, moving only those out of place.
    let previous = null;
    for (const order of visible) {
      const node = this.cards.get(order.id).node;
      const expected = previous ? previous.nextSibling : this.container.firstChild;
      if (node !== expected) this.container.insertBefore(node, expected);
      previous = node;
    }
    this.timers(now);
    return visible;
  }

  /** Draws one ticket (again) as of ``now``; notes which of this station's items fired
   *  since it was last drawn. */
  draw(order, sending, now) {
    const card = this.cards.get(order.id);
    const node = this.ticket(order, sending, now);
    if (card) card.node.replaceWith(node);
    const nowHeld = heldIds(order, now);
    if (card && this.station !== null) {
      const items = stationItems(order, this.station).filter(
        (item) => card.held.includes(item.id) && !nowHeld.includes(item.id) && !item.done,
      );
      if (items.length) this.fired.push({ order, items });
    }
    this.cards.set(order.id, { node, version: order.version, sending, order, looks: looks(order, now), held: nowHeld });
  }

  /** Updates every timer and countdown (once a second); draws again a ticket whose held
   *  items fired or that went past its due time. Returns this station's items that reached
   *  their fire time since the last tick: [{order, items}]. */
  tick(now) {
    for (const card of [...this.cards.values()]) {
      if (looks(card.order, now) !== card.looks) this.draw(card.order, card.sending, now);
    }
    this.timers(now);
    return this.fired.splice(0);
  }

  /** Every ticket's timer (from its fire time, coloured by age) and countdowns as of now. */
  timers(now) {
    const { warn, late } = this.thresholds;
    for (const card of this.cards.values()) {
      const node = card.node;
      const age = (now - Date.parse(node.dataset.started)) / 1000;
      const level = age >= late ? "late" : age >= warn ? "warn" : "fresh";
      const timer = node.querySelector(".timer");
      const text = ageText(age);
      if (timer.textContent !== text) timer.textContent = text;
      if (node.dataset.age !== level) node.dataset.age = level;
      for (const fires of node.querySelectorAll(".fires")) {
        const said = firesIn({ fire_at: fires.dataset.fire }, now);
        if (fires.textContent !== said) fires.textContent = said;
      }
    }
  }

  ticket(order, sending, now) {
    const node = el("article", "ticket");
    node.dataset.id = order.id;
    node.dataset.status = order.status;
    node.dataset.started = startedAt(order);
    if (order.priority === "rush") node.classList.add("rush");
    if (sending) node.classList.add("sending");
    const head = el("button", "head");
    head.type = "button";
    head.dataset.action = "next";
    head.append(
      el("span", "num", `#${order.id}`),
      el("span", "status", LABELS[order.status] || order.status),
      el("span", "timer", ""),
    );
    if (order.priority === "rush") head.append(el("span", "rush-tag", "RUSH"));
    const next = this.nextWord(order, now);
    head.setAttribute("aria-label", `Order ${order.id}, ${order.status}. ${next}`);
    node.append(head);
    const meta = [TYPES[order.order_type] || order.order_type];
    if (order.table) meta.push(`Table ${order.table}`);
    if (order.customer_name) meta.push(order.customer_name);
    if (order.due_at) meta.push(`due ${clock(order.due_at)}`);
    node.append(el("p", "meta", meta.join(" · ")));
    if (pastDue(order, now)) {
      node.dataset.pastDue = "true";
      node.append(el("p", "past-due", `⏰ PAST DUE ${clock(order.due_at)}`));
    }
    if (order.notes) node.append(this.notes("notes", order.notes));
    const list = el("ul", "items");
    const items = stationItems(order, this.station);
    for (const item of items) list.append(this.item(item, now));
    node.append(list);
    const others = order.items.length - items.length;
    if (others > 0) node.append(el("p", "others", `+ ${others} item${others === 1 ? "" : "s"} for other stations`));
    const hint = el("p", "hint", sending ? "Sending…" : next);
    node.append(hint);
    return node;
  }

  item(item, now) {
    const li = el("li");
    const waits = held(item, now);
    const button = el("button", item.done ? "item done" : "item");
    button.type = "button";
    button.dataset.action = "item";
    button.dataset.item = item.id;
    button.setAttribute("aria-pressed", item.done ? "true" : "false");
    if (waits) {
      // Greyed, every word kept; a tap on it marks nothing (kitchen.js says why).
      button.classList.add("held");
      button.setAttribute("aria-disabled", "true");
    }
    const line = el("span", "line");
    if (waits) line.append(el("span", "held-mark", `${HELD_MARK} `));
    line.append(el("span", "qty", `${item.quantity}×`), " ", ...markAllergens(this.matcher, item.name));
    if (item.station && this.station === null) line.append(" ", el("span", "station", `@${item.station}`));
    button.append(line);
    if (item.modifiers.length) {
      const mods = el("ul", "mods");
      for (const modifier of item.modifiers) {
        const mod = el("li");
        mod.append(...markAllergens(this.matcher, modifier));
        mods.append(mod);
      }
      button.append(mods);
    }
    if (item.notes) button.append(this.notes("inote", item.notes));
    if (waits) {
      const fires = el("span", "fires", firesIn(item, now));
      fires.dataset.fire = item.fire_at;
      button.append(fires);
    }
    li.append(button);
    return li;
  }

  notes(className, text) {
    const found = this.matcher.find(text);
    const node = el("p", found.length ? `${className} allergy` : className);
    if (found.length) node.append(el("span", "allergy-mark", `${this.matcher.mark} `));
    node.append(...markAllergens(this.matcher, text));
    return node;
  }
}
