// The kitchen board's tickets, drawn from the store: rush first, then by arrival; a timer
// coloured by age; items with modifiers and notes; allergies marked. No word of an item or
// a note is ever cut or hidden: tickets grow to fit their text and the board scrolls, with
// a line saying how many tickets are below.
import { markAllergens } from "./allergens.js";

export const LABELS = {
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

/** Whether a station's board shows the order: open, with work for it (terminal: shows()). */
function shows(order, station) {
  const items = stationItems(order, station);
  return station === null ? items.length > 0 : items.some((item) => !item.done);
}

function boardOrder(a, b) {
  const rush = (a.priority === "rush" ? 0 : 1) - (b.priority === "rush" ? 0 : 1);
  return rush || a.created_at.localeCompare(b.created_at) || a.id - b.id;
}

export function ageText(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Board {
  constructor(container, { station, thresholds, matcher, nextWord }) {
    this.container = container;
    this.station = station;
    this.thresholds = thresholds;
    this.matcher = matcher;
    this.nextWord = nextWord; // (order) -> what a tap on the ticket does, in words
    this.cards = new Map(); // id -> {node, version, sending}
    this.sending = new Set();
  }

  /** Redraws the tickets whose ids changed (all when ``ids`` is null) and their order. */
  render(store, ids = null) {
    const visible = [...store.orders.values()].filter((o) => shows(o, this.station)).sort(boardOrder);
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
        const node = this.ticket(order, sending);
        if (card) card.node.replaceWith(node);
        this.cards.set(order.id, { node, version: order.version, sending });
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
    this.tick();
    return visible;
  }

  /** Updates every timer (once a second). */
  tick(now = Date.now()) {
    const { warn, late } = this.thresholds;
    for (const card of this.cards.values()) {
      const node = card.node;
      const age = (now - Date.parse(node.dataset.created)) / 1000;
      const level = age >= late ? "late" : age >= warn ? "warn" : "fresh";
      const timer = node.querySelector(".timer");
      const text = ageText(age);
      if (timer.textContent !== text) timer.textContent = text;
      if (node.dataset.age !== level) node.dataset.age = level;
    }
  }

  ticket(order, sending) {
    const node = el("article", "ticket");
    node.dataset.id = order.id;
    node.dataset.status = order.status;
    node.dataset.created = order.created_at;
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
    head.setAttribute("aria-label", `Order ${order.id}, ${order.status}. ${this.nextWord(order)}`);
    node.append(head);
    const meta = [TYPES[order.order_type] || order.order_type];
    if (order.table) meta.push(`Table ${order.table}`);
    if (order.customer_name) meta.push(order.customer_name);
    node.append(el("p", "meta", meta.join(" · ")));
    if (order.notes) node.append(this.notes("notes", order.notes));
    const list = el("ul", "items");
    const items = stationItems(order, this.station);
    for (const item of items) list.append(this.item(item));
    node.append(list);
    const others = order.items.length - items.length;
    if (others > 0) node.append(el("p", "others", `+ ${others} item${others === 1 ? "" : "s"} for other stations`));
    const hint = el("p", "hint", sending ? "Sending…" : this.nextWord(order));
    node.append(hint);
    return node;
  }

  item(item) {
    const li = el("li");
    const button = el("button", item.done ? "item done" : "item");
    button.type = "button";
    button.dataset.action = "item";
    button.dataset.item = item.id;
    button.setAttribute("aria-pressed", item.done ? "true" : "false");
    const line = el("span", "line");
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
