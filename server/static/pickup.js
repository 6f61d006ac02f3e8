// The pickup TV: order numbers under "Preparing" and "Ready", live; the board is read again
// from the API after every (re)connect, and says so when it is not live.
import { ask, chime, connectLive, getJson, pageConfig, screenName } from "./live.js";

const FRESH_MS = 8000;
const config = pageConfig();
/** What this screen is, for the server's list of screens online (kds_contract.screens). */
const SCREEN = { kind: "pickup_board", station: null, name: screenName(), version: config.version };
const params = new URLSearchParams(location.search);
const wantChime = params.get("chime") === "1";
const $ = (id) => document.getElementById(id);
const orders = new Map(); // id -> public order
const freshUntil = new Map(); // id -> time its highlight ends
let seq = 0;
let loading = true;
let held = []; // events that came while the board was being read: applied after it
let audio = null;

function tile(order, fresh) {
  const li = document.createElement("li");
  li.className = fresh ? "tile fresh" : "tile";
  li.textContent = order.id;
  li.setAttribute("aria-label", `Order ${order.id}`);
  if (order.customer_name) {
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = order.customer_name;
    li.append(who);
  }
  return li;
}

/** Puts as many tiles as fit in ``list``, newest kept, and a "+N more" tile for the rest. */
function fill(list, shown) {
  list.replaceChildren(...shown.map(([order, fresh]) => tile(order, fresh)));
  if (list.scrollHeight <= list.clientHeight + 1) return;
  const more = document.createElement("li");
  more.className = "tile more";
  list.append(more);
  // Drop the oldest (the end of the list) until everything left fits with "+N more".
  let hidden = 0;
  while (list.children.length > 1 && list.scrollHeight > list.clientHeight + 1) {
    list.removeChild(more.previousElementSibling);
    hidden += 1;
    more.textContent = `+${hidden} more`;
  }
}

function render() {
  const now = Date.now();
  const all = [...orders.values()];
  const preparing = all
    .filter((o) => o.status === "pending" || o.status === "preparing")
    .sort((a, b) => b.id - a.id);
  const ready = all
    .filter((o) => o.status === "ready")
    .sort((a, b) => (b.ready_at || "").localeCompare(a.ready_at || "") || b.id - a.id);
  fill($("preparing"), preparing.map((o) => [o, false]));
  fill($("ready"), ready.map((o) => [o, (freshUntil.get(o.id) || 0) > now]));
}

function apply(event, kind) {
  if (loading) {
    held.push([event, kind]);
    return;
  }
  if (event.seq <= seq) return;
  seq = event.seq;
  if (kind === "deleted") {
    orders.delete(event.orderId);
  } else if (["pending", "preparing", "ready"].includes(event.order.status)) {
    const before = orders.get(event.order.id);
    if (event.order.status === "ready" && (!before || before.status !== "ready")) {
      freshUntil.set(event.order.id, Date.now() + FRESH_MS);
      setTimeout(render, FRESH_MS + 50);
      if (wantChime) chime(audio);
    }
    orders.set(event.order.id, event.order);
  } else {
    orders.delete(event.order.id);
  }
  render();
}

function showState(state, since) {
  const conn = $("conn");
  conn.dataset.state = state;
  conn.textContent = state === "live" ? "● Live" : "○ Reconnecting…";
  document.body.classList.toggle("stale", state !== "live");
  const banner = $("stale");
  banner.hidden = state === "live";
  banner.textContent = `Not live since ${since ? since.toLocaleTimeString() : "now"}: this board may be out of date. Reconnecting…`;
}

document.addEventListener("pointerdown", () => {
  audio = audio || (wantChime ? new AudioContext() : null);
});
window.addEventListener("resize", render);

connectLive({
  namespace: "/public",
  onState: showState,
  onConnect: async (socket) => {
    loading = true;
    held = [];
    try {
      const joined = await ask(socket, "join:pickup", { screen: SCREEN });
      if (!joined.ok) throw new Error(joined.error);
      const board = await getJson("/api/pickup");
      orders.clear();
      for (const order of board.orders) orders.set(order.id, order);
      seq = board.seq; // the server's count, even if it went back (a new database)
    } finally {
      loading = false;
    }
    for (const [event, kind] of held.splice(0)) apply(event, kind);
    render();
  },
  events: {
    "order:created": (e) => apply(e, "created"),
    "order:statusUpdated": (e) => apply(e, "moved"),
    "order:updated": (e) => apply(e, "updated"),
    "order:deleted": (e) => apply(e, "deleted"),
  },
});
render();
