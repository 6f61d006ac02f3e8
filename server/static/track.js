// The customer's tracking page: the order's public fields, live, with a reconnect that
// asks the API for the order again after any gap.
import { chime, clock, connectLive, getJson, pageConfig, ask } from "./live.js";

const WORDS = {
  scheduled: ["Scheduled", "We will start it in time for when it is due."],
  pending: ["Received", "The kitchen has your order."],
  preparing: ["Preparing", "Your order is being made."],
  ready: ["Ready", "Your order is ready."],
  completed: ["Collected", "Enjoy your meal!"],
  cancelled: ["Cancelled", "This order was cancelled. Please ask at the counter."],
};
const STEPS = ["pending", "preparing", "ready", "completed"];
const config = pageConfig();
const $ = (id) => document.getElementById(id);
let order = config.order;
let seq = -1;
let wantsNotice = false;
let audio = null;

function render() {
  const [word, detail] = WORDS[order.status] || [order.status, ""];
  $("number").textContent = order.id;
  if ($("status").textContent !== word) $("status").textContent = word;
  $("detail").textContent = order.customer_name ? `${detail} (${order.customer_name})` : detail;
  $("status-box").dataset.status = order.status;
  const at = STEPS.indexOf(order.status);
  for (const step of $("steps").children) {
    const index = STEPS.indexOf(step.dataset.step);
    step.classList.toggle("done", at >= 0 && index < at);
    step.classList.toggle("current", index === at);
    step.toggleAttribute("aria-current", index === at);
  }
  $("steps").hidden = order.status === "cancelled";
  $("placed").textContent = clock(order.created_at);
  $("due-row").hidden = !order.due_at;
  $("due").textContent = clock(order.due_at);
  $("ready-row").hidden = !order.ready_at || order.status !== "ready";
  $("ready-at").textContent = clock(order.ready_at);
  $("items").replaceChildren(
    ...order.items.map((item) => {
      const li = document.createElement("li");
      li.textContent = `${item.quantity} × ${item.name}`;
      return li;
    }),
  );
  const where = config.restaurant ? ` · ${config.restaurant}` : "";
  document.title = order.status === "ready" ? `✅ Ready: order ${order.id}${where}` : `Order ${order.id}: ${word}${where}`;
  $("notify").hidden = ["ready", "completed", "cancelled"].includes(order.status);
}

function update(next, nextSeq) {
  if (nextSeq !== undefined && nextSeq < seq) return; // older than what is shown
  const wasReady = order.status === "ready";
  order = next;
  if (nextSeq !== undefined) seq = nextSeq;
  render();
  if (order.status === "ready" && !wasReady) announceReady();
}

function announceReady() {
  if (!wantsNotice) return;
  chime(audio, [660, 880, 1320]);
  if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  if (document.hidden && "Notification" in window && Notification.permission === "granted") {
    new Notification(`Order ${order.id} is ready`, { body: config.restaurant || "", tag: `kds-${order.id}` });
  }
}

function gone() {
  order = { ...order, status: "gone" };
  $("status").textContent = "No longer found";
  $("detail").textContent = "This order was removed. Please ask at the counter.";
  $("status-box").dataset.status = "gone";
  $("steps").hidden = true;
  $("notify").hidden = true;
}

function showState(state, since) {
  const conn = $("conn");
  conn.dataset.state = state;
  document.body.classList.toggle("stale", state !== "live");
  conn.textContent =
    state === "live"
      ? "● Live: this page updates by itself"
      : `○ Not live since ${since ? since.toLocaleTimeString() : "now"}: reconnecting…`;
}

$("notify").addEventListener("click", async () => {
  wantsNotice = true;
  audio = audio || new AudioContext();
  let note = "We will chime and vibrate here when it is ready; keep this page open.";
  if ("Notification" in window && Notification.permission !== "granted") {
    const answer = await Notification.requestPermission().catch(() => "denied");
    if (answer !== "granted") note = "We will chime here when it is ready; notifications are off.";
  }
  $("notify").setAttribute("aria-pressed", "true");
  $("notify-note").textContent = note;
});

render();
connectLive({
  namespace: "/public",
  onState: showState,
  onConnect: async (socket) => {
    const joined = await ask(socket, "join:track", { code: config.code });
    if (!joined.ok) {
      if (String(joined.error).startsWith("not_found")) return gone();
      throw new Error(joined.error);
    }
    update(joined.order, joined.seq);
    // Catch up through the API as well: what changed while the page was away.
    const answer = await getJson(`/api/track/${encodeURIComponent(config.code)}`).catch((error) => {
      if (error.status === 404) gone();
      else throw error;
    });
    if (answer) update(answer.order, answer.seq);
  },
  events: {
    "order:statusUpdated": (event) => update(event.order, event.seq),
    "order:updated": (event) => update(event.order, event.seq),
    "order:deleted": () => gone(),
  },
});
