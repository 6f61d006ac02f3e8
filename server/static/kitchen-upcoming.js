// The upcoming strip of the kitchen board: scheduled orders, the next to fire first, each with
// the live time until it fires (the terminal display's kds_tui/widgets/upcoming.py, in the
// same words). Shown only while there are some. Each has a "Fire now" button, and the keys
// are the terminal's: f fires the selected one (▸, the next to fire unless another was
// picked), t picks the next. Firing cannot be taken back (nothing moves back to scheduled),
// so it asks first: the first tap (or f) arms it, "Tap again to fire #14 now", a second
// within a few seconds sends it. The strip keeps to one row: the entries that do not fit
// are counted in "+N more", which shows them all on a tap.
import { clock } from "./live.js";
import { HELD_MARK, countdown, upcoming } from "./pacing.js";
import { el, whereTo } from "./kitchen-view.js";

export const TITLE = `${HELD_MARK} UPCOMING`;
const ARMED_FOR_MS = 5000;

/** ``in 3:20``: the time until an order fires (``fire`` an ISO time). */
function inText(fire, now) {
  return `in ${countdown((Date.parse(fire) - now) / 1000)}`;
}

function inNode(order, now) {
  const fire = order.fire_at || order.created_at;
  const node = el("span", "up-in", inText(fire, now));
  node.dataset.fire = fire;
  return node;
}

export class UpcomingStrip {
  /** ``fire(order)``: send it to the kitchen now (a promise); ``statuses``: the upcoming
   *  statuses (kds_contract's UPCOMING_STATUSES, from the page's settings); ``now()``: the
   *  server's time (ms), which the fire times are compared with. */
  constructor(container, { statuses, fire, now = () => Date.now() }) {
    this.container = container;
    this.statuses = statuses;
    this.fire = fire;
    this.now = now;
    this.orders = [];
    this.selected = null;
    this.picked = false; // whether a person picked ``selected`` (else it follows the next)
    this.armed = null; // {id, until}: the order a second tap fires
    this.expanded = false;
    this.drawn = "";
    container.addEventListener("click", (event) => this.clicked(event));
  }

  /** The scheduled orders of ``store``, as of now. */
  render(store) {
    this.orders = upcoming(store.orders.values(), this.statuses);
    const ids = this.orders.map((o) => o.id);
    if (!this.picked || !ids.includes(this.selected)) {
      this.selected = ids.length ? ids[0] : null;
      this.picked = false;
    }
    if (this.armed && !ids.includes(this.armed.id)) this.armed = null;
    this.draw(this.now());
  }

  /** The countdowns (once a second); a confirmation not given in time lapses (this device's
   *  time). */
  tick() {
    if (this.armed && Date.now() > this.armed.until) this.armed = null;
    this.draw(this.now());
  }

  draw(now) {
    // Built again only when its entries changed; the countdowns are updated in place, so a
    // finger on a button is never under a new one.
    const key = JSON.stringify([
      this.orders.map((o) => [o.id, o.version]),
      this.selected,
      this.armed && this.armed.id,
      this.expanded,
    ]);
    if (key === this.drawn) {
      for (const node of this.container.querySelectorAll(".up-in")) {
        const said = inText(node.dataset.fire, now);
        if (node.textContent !== said) node.textContent = said;
      }
      return;
    }
    this.drawn = key;
    this.container.hidden = this.orders.length === 0;
    const list = el("ol", "up-list");
    for (const order of this.orders) list.append(this.entry(order, now));
    const more = el("button", "up-more");
    more.type = "button";
    more.dataset.action = "more";
    this.container.replaceChildren(el("h2", "up-title", TITLE), list, more, el("span", "up-keys", "f fire now · t next"));
    this.container.classList.toggle("expanded", this.expanded);
    this.fold();
  }

  /** Keeps the strip to one row: the entries that wrap below the first are hidden and
   *  counted in "+N more" (all shown once it was tapped). Again on a resize. */
  fold() {
    const entries = [...this.container.querySelectorAll(".up")];
    const more = this.container.querySelector(".up-more");
    if (!more || !entries.length) return;
    for (const entry of entries) entry.hidden = false;
    more.hidden = false;
    if (this.expanded) {
      more.textContent = "Show fewer";
      return;
    }
    more.textContent = `+${entries.length} more`; // its widest, while the row is measured
    const first = entries[0].offsetTop;
    const below = entries.filter((entry) => entry.offsetTop > first);
    for (const entry of below) entry.hidden = true;
    more.hidden = below.length === 0;
    more.textContent = `+${below.length} more`;
  }

  entry(order, now) {
    const li = el("li", "up");
    li.dataset.id = order.id;
    const selected = order.id === this.selected;
    const armed = this.armed !== null && this.armed.id === order.id;
    if (selected) li.classList.add("selected");
    if (armed) li.classList.add("armed");
    const pick = el("button", "up-pick");
    pick.type = "button";
    pick.dataset.action = "pick";
    pick.setAttribute("aria-pressed", selected ? "true" : "false");
    const where = whereTo(order);
    pick.append(
      el("span", "up-mark", selected ? "▸" : " "),
      el("span", "up-num", `#${order.id}`),
      ...(where ? [" ", el("span", "up-where", where)] : []),
      " ",
      inNode(order, now),
      ...(order.due_at ? [" ", el("span", "up-due", `due ${clock(order.due_at)}`)] : []),
    );
    const fire = el("button", "up-fire", armed ? `Tap again to fire #${order.id} now` : "Fire now");
    fire.type = "button";
    fire.dataset.action = "fire";
    li.append(pick, fire);
    return li;
  }

  clicked(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "more") {
      this.expanded = !this.expanded;
      return this.draw(this.now());
    }
    const entry = button.closest(".up");
    if (!entry) return;
    const id = Number(entry.dataset.id);
    this.selected = id;
    this.picked = true;
    if (button.dataset.action === "fire") this.fireOrArm(id);
    this.draw(this.now());
  }

  /** The fire key: arm the selected order, or fire it if it is armed. */
  fireSelected() {
    if (this.selected !== null) this.fireOrArm(this.selected);
    this.draw(this.now());
  }

  /** The pick key: the next scheduled order (round to the first after the last). */
  selectNext() {
    const ids = this.orders.map((o) => o.id);
    if (!ids.length) return;
    const at = ids.indexOf(this.selected);
    this.selected = ids[(at + 1) % ids.length];
    this.picked = true;
    if (this.armed && this.armed.id !== this.selected) this.armed = null;
    const entry = this.container.querySelector(`.up[data-id="${this.selected}"]`);
    if (entry && entry.hidden) this.expanded = true; // the one picked is always in sight
    this.draw(this.now());
  }

  disarm() {
    this.armed = null;
    this.draw(this.now());
  }

  fireOrArm(id) {
    const order = this.orders.find((o) => o.id === id);
    if (!order) return;
    if (this.armed && this.armed.id === id && Date.now() <= this.armed.until) {
      this.armed = null;
      this.fire(order);
    } else {
      this.armed = { id, until: Date.now() + ARMED_FOR_MS };
    }
  }
}
