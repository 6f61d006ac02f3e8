// The kitchen board for a TV or a touch tablet: live tickets kept by seq (catch-up through
// GET /api/events after every connect), taps sent through the REST API and shown when the
// server confirms them, refusals in the server's words, undo of the last tap, a bell; the
// upcoming strip of scheduled orders (fire one now), and items held until their fire time,
// which no tap marks done.
import { allergenMatcher } from "./allergens.js";
import { ServerClock, chime, connectLive, ask, pageConfig, screenName } from "./live.js";
import { Board, stationItems } from "./kitchen-view.js";
import { Store, sync } from "./kitchen-store.js";
import { UpcomingStrip } from "./kitchen-upcoming.js";
import { HELD_MARK, held, heldList, partLeft } from "./pacing.js";

const TOKEN_KEY = "kds.kitchen.token";
const config = pageConfig();
const station = config.station;
const $ = (id) => document.getElementById(id);
const store = new Store([...config.open, ...config.upcoming]);
let audio = null;
let socket = null;
let live = false;
const done = []; // this board's taps, for undo: {orderId, to, from, items}
const serverClock = new ServerClock();
/** The server's time now (ms): fire times, countdowns and timers are compared with it. */
const now = () => serverClock.now();

/** The token: from the address's #token=... once (then removed from it), else storage. */
function takeToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const given = hash.get("token");
  if (given) {
    localStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem(TOKEN_KEY);
}

/** What this screen is, for the server's list of screens online (kds_contract.screens):
 *  sent with every join. */
export const SCREEN = { kind: "kitchen_board", station, name: screenName(), version: config.version };

async function api(method, path, body) {
  const sentAt = Date.now();
  const response = await fetch(path, {
    method,
    cache: "no-store",
    credentials: "omit",
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  serverClock.heard(response, sentAt, Date.now());
  let answer = null;
  try {
    answer = await response.json();
  } catch (_) {
    answer = null;
  }
  if (!response.ok) {
    if (response.status === 401) showState("refused", new Date(), answer && answer.error.message);
    const error = new Error(answer && answer.error ? answer.error.message : `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return answer;
}

const FORWARD = config.forward;
const UNDO = config.undo;

const NEXT_WORDS = { preparing: "Tap: start cooking", ready: "Tap: mark ready", completed: "Tap: bump" };
const HELD_LEFT = "the items left are held until their fire time"; // the terminal's words

/** The expo's tap on a cooking ticket marks the order ready: the items it would send out
 *  unmade, waiting for their fire time (none: the tap may go ahead). A station's tap
 *  finishes only what has fired (``partLeft``). */
function heldBlocking(order, at = now()) {
  if (station !== null || order.status !== "preparing") return [];
  return order.items.filter((item) => !item.done && held(item, at));
}

/** What a tap on the ticket does, in words (terminal: the Next key). */
function nextWord(order, at = now()) {
  if (station === null || order.status === "pending") {
    if (heldBlocking(order, at).length) return `${HELD_MARK} Not ready: ${HELD_LEFT}`;
    return NEXT_WORDS[FORWARD[order.status]] || "";
  }
  const [fired, left] = partLeft(stationItems(order, station), at);
  if (!fired.length && left.length) return `${HELD_MARK} Not fired yet: ${HELD_LEFT}`;
  return `Tap: ${station} part done`;
}

const board = new Board($("tickets"), {
  station,
  open: config.open,
  thresholds: config.thresholds,
  matcher: allergenMatcher(config.allergens),
  nextWord,
});

let rings = 0; // how many times the board rang (for the tests: a bell cannot be heard there)
function ring() {
  rings += 1;
  if (audio) chime(audio);
}

async function fireNow(order) {
  const to = config.fire[order.status];
  if (!to) return toast(`#${order.id} is ${order.status}: there is nothing to fire`, "info");
  // Not kept for undo: nothing moves back to scheduled.
  await send(order, async () => {
    await move(order, to);
    toast(`#${order.id}: fired now`, "info");
    return null;
  });
}

const strip = new UpcomingStrip($("upcoming"), { statuses: config.upcoming, fire: fireNow, now });

function redraw(ids = null) {
  strip.render(store);
  const visible = board.render(store, ids, now());
  const counts = { pending: 0, preparing: 0, ready: 0 };
  for (const order of visible) counts[order.status] = (counts[order.status] || 0) + 1;
  $("counts").textContent = `${counts.pending} new · ${counts.preparing} cooking · ${counts.ready} ready`;
  $("empty").hidden = visible.length > 0;
  below();
}

/** How many tickets are below the screen's edge, said at the foot so none goes unseen. */
function below() {
  const bottom = window.innerHeight;
  let hidden = 0;
  for (const node of $("tickets").children) if (node.getBoundingClientRect().top >= bottom - 8) hidden += 1;
  $("below").hidden = hidden === 0;
  $("below").textContent = `↓ ${hidden} more ticket${hidden === 1 ? "" : "s"} below`;
}

function toast(message, kind = "error") {
  const note = document.createElement("p");
  note.className = `toast ${kind}`;
  note.textContent = message;
  $("toasts").append(note);
  setTimeout(() => note.remove(), kind === "error" ? 9000 : 4000);
}

function showState(state, since, why) {
  live = state === "live";
  const conn = $("conn");
  conn.dataset.state = state;
  document.body.classList.toggle("stale", !live);
  if (state === "live") conn.textContent = "● Live";
  else if (state === "refused") conn.textContent = "✕ Token refused";
  else conn.textContent = `○ Not live since ${since ? since.toLocaleTimeString() : "now"}: reconnecting…`;
  $("stale").hidden = live;
  $("stale").textContent =
    state === "refused"
      ? `The server refused this board's token${why ? ` (${why})` : ""}. Give a new one below.`
      : `Not live since ${since ? since.toLocaleTimeString() : "now"}: tickets may be out of date. Reconnecting…`;
  $("token-form").hidden = state !== "refused";
}

// --- taps ---------------------------------------------------------------------------

async function send(order, work) {
  if (!live) return toast("Not live: nothing was sent. Wait for the board to reconnect.");
  if (board.sending.has(order.id)) return toast(`#${order.id} is still being updated`, "info");
  board.sending.add(order.id);
  redraw([order.id]);
  try {
    const record = await work();
    if (record) done.push(record);
    $("undo").disabled = done.length === 0;
  } catch (error) {
    toast(`#${order.id}: ${error.message}`);
  } finally {
    board.sending.delete(order.id);
    redraw([order.id]);
  }
}

async function move(order, to) {
  const answer = await api("PATCH", `/api/orders/${order.id}/status`, { status: to, version: order.version });
  redraw(store.confirm(answer.order));
  return answer.order;
}

async function mark(order, itemId, isDone) {
  const answer = await api("PATCH", `/api/orders/${order.id}/items/${itemId}`, { done: isDone });
  redraw(store.confirm(answer.order));
  return answer.order;
}

/** Says why a tap marks nothing: its items wait for their fire time (the terminal's words;
 *  the server refuses it too, 409 item_held). */
function refuseHeld(order, items, what = "nothing marked done") {
  toast(`#${order.id}: not fired yet, ${what}: ${heldList(items, now())}`, "info");
}

function tapTicket(order) {
  const waiting = heldBlocking(order);
  if (waiting.length) return refuseHeld(order, waiting, "not marked ready");
  if (station === null || order.status === "pending") {
    const to = FORWARD[order.status];
    if (!to) return;
    return send(order, async () => ({ orderId: order.id, to, from: order.status, items: [], order: await move(order, to) }));
  }
  // A held item waits for its fire time: the tap finishes what has fired, and says what is
  // still to come.
  const [fired, left] = partLeft(stationItems(order, station), now());
  if (!fired.length && left.length) return refuseHeld(order, left);
  const todo = fired.map((item) => item.id);
  return send(order, async () => {
    let current = order;
    const marked = [];
    for (const id of todo) {
      current = await mark(current, id, true);
      marked.push(id);
    }
    let to = null;
    if (current.status === "preparing" && current.items.every((item) => item.done)) {
      current = await move(current, "ready");
      to = "ready";
    }
    if (left.length) toast(`#${order.id}: still to come: ${heldList(left, now())}`, "info");
    return marked.length ? { orderId: order.id, to, from: to ? "preparing" : null, items: marked, order: current } : null;
  });
}

function tapItem(order, itemId) {
  const item = order.items.find((i) => i.id === itemId);
  if (!item) return;
  if (!item.done && held(item, now())) return refuseHeld(order, [item]);
  return send(order, async () => {
    const current = await mark(order, itemId, !item.done);
    return item.done ? null : { orderId: order.id, to: null, from: null, items: [itemId], order: current };
  });
}

async function undoLast() {
  const last = done.pop();
  $("undo").disabled = done.length === 0;
  if (!last) return toast("Nothing to undo", "info");
  let order = store.orders.get(last.orderId) || last.order;
  if (last.to && order.status !== last.to) {
    return toast(`#${order.id} has moved on since (it is ${order.status} now): nothing undone`, "info");
  }
  await send(order, async () => {
    if (last.to && last.from) order = await move(order, last.from);
    for (const id of last.items) order = await mark(order, id, false);
    toast(`#${order.id}: undone`, "info");
    return null;
  });
}

$("tickets").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  const ticket = event.target.closest(".ticket");
  if (!button || !ticket) return;
  const order = store.orders.get(Number(ticket.dataset.id));
  if (!order) return;
  if (button.dataset.action === "next") tapTicket(order);
  else tapItem(order, Number(button.dataset.item));
});
$("undo").addEventListener("click", undoLast);
// The terminal's keys for the upcoming strip (a keyboard or a bump bar): f fires the
// selected one (a second f confirms), t picks the next, Escape takes back an armed f.
document.addEventListener("keydown", (event) => {
  if ((event.target.closest && event.target.closest("input, textarea")) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "f") strip.fireSelected();
  else if (event.key === "t") strip.selectNext();
  else if (event.key === "Escape") strip.disarm();
});
window.addEventListener("scroll", below, { passive: true });
window.addEventListener("resize", () => {
  redraw();
  strip.fold();
});
for (const kind of ["pointerdown", "keydown"]) {
  document.addEventListener(kind, () => {
    if (audio) return;
    audio = new AudioContext();
    $("sound").textContent = "♪ Sound on";
    $("sound").dataset.on = "true";
  });
}
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) return;
  localStorage.setItem(TOKEN_KEY, value);
  $("token-input").value = "";
  token = value;
  start();
});

// --- live ---------------------------------------------------------------------------

let catchingUp = null;
function catchUp() {
  catchingUp =
    catchingUp ||
    sync(store, (path) => api("GET", path)).finally(() => {
      catchingUp = null;
    });
  return catchingUp;
}

function onEvent(type) {
  return (data) => {
    if (data.order) serverClock.passed(Date.parse(data.order.updated_at), Date.now());
    const changed = store.apply(type, data);
    if (changed === null) {
      // A gap: give the missing event a moment, then ask the API for it.
      setTimeout(() => store.gap && live && catchUp().then(() => redraw(), () => socket.disconnect()), 500);
      return;
    }
    redraw(changed);
    // A new order, or a scheduled one fired, that this board shows: the bell.
    const arrived = type === "order:created" || (type === "order:statusUpdated" && config.upcoming.includes(data.oldStatus));
    if (arrived && changed.includes(data.order.id) && board.cards.has(data.order.id)) ring();
  };
}

let token = takeToken();
function start() {
  if (socket) socket.disconnect();
  if (!token) return showState("refused", new Date(), "no token given: open this page with #token=... once");
  socket = connectLive({
    namespace: "/",
    auth: { token },
    onState: showState,
    onConnect: async (s) => {
      const joined = await ask(s, "join:kitchen", { screen: SCREEN });
      if (!joined.ok) throw new Error(joined.error);
      await catchUp();
      const at = Date.now();
      for (const order of store.orders.values()) serverClock.passed(Date.parse(order.updated_at), at);
      redraw();
    },
    events: Object.fromEntries(
      ["order:created", "order:statusUpdated", "order:updated", "order:deleted"].map((t) => [t, onEvent(t)]),
    ),
  });
}

$("title").textContent = station ? `Kitchen · ${station}` : "Kitchen · expo";
setInterval(() => {
  // Items of this station reaching their fire time: the bell, and what to start.
  for (const { order, items } of board.tick(now())) {
    ring();
    toast(`#${order.id}: start ${items.map((item) => `${item.quantity}x ${item.name}`).join(", ")}`, "info");
  }
  strip.tick();
}, 1000);
start();
// For the benchmark and the tests: the board's state, to look at (never to drive it).
window.kdsBoard = {
  store,
  board,
  strip,
  serverClock,
  get rings() {
    return rings;
  },
  get socket() {
    return socket;
  },
};
