// The live connection every page uses: the stock Socket.IO client (vendored), its own
// reconnect with backoff, forever, and a state a page shows at all times.
import { io } from "./vendor/socket.io.esm.min.js";

/** The page's settings, written by the server into <script id="kds-config">. */
export function pageConfig() {
  const element = document.getElementById("kds-config");
  return element ? JSON.parse(element.textContent) : {};
}

/** This device's name in the server's list of screens: ``?name=`` in the address (kept for
 *  next time), else the one kept, else a new ``browser-xxxx``. */
export function screenName() {
  const KEY = "kds-screen-name";
  const given = (new URLSearchParams(location.search).get("name") || "").trim().slice(0, 200);
  if (given) localStorage.setItem(KEY, given);
  let name = localStorage.getItem(KEY);
  if (!name) {
    name = `browser-${Math.random().toString(16).slice(2, 6)}`;
    localStorage.setItem(KEY, name);
  }
  return name;
}

/**
 * Connects to a Socket.IO namespace of this server and keeps reconnecting (1 s to 10 s
 * apart, jittered). ``onConnect(socket)`` runs after every connect and must join and catch
 * up; ``onState(state, since)`` hears "connecting", "live", "down" or "refused".
 */
export function connectLive({ namespace = "/", auth, onConnect, onState, events = {} }) {
  const socket = io(namespace, {
    auth,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
    timeout: 10000,
  });
  let downSince = new Date();
  onState("connecting", downSince);
  socket.on("connect", async () => {
    try {
      await onConnect(socket);
      onState("live", null);
    } catch (error) {
      // Joining or catching up failed: drop this connection and let the reconnect retry.
      console.warn("catch-up failed; reconnecting", error);
      socket.disconnect();
      setTimeout(() => socket.connect(), 2000);
    }
  });
  socket.on("disconnect", (reason) => {
    downSince = new Date();
    onState("down", downSince);
    if (reason === "io server disconnect") {
      // The server ended it (a stop, a revoked token): the client does not retry by itself.
      setTimeout(() => socket.connect(), 2000);
    }
  });
  socket.on("connect_error", (error) => {
    if (!socket.active) {
      // The server refused the connection (no valid token); it will not retry by itself.
      onState("refused", downSince, error && error.message);
    } else {
      onState("down", downSince);
    }
  });
  for (const [name, handler] of Object.entries(events)) socket.on(name, handler);
  return socket;
}

/** Emit with an acknowledgement, as a promise that fails after ``ms``. */
export function ask(socket, event, data, ms = 10000) {
  return socket.timeout(ms).emitWithAck(event, data);
}

/** JSON from this server's API; throws an Error carrying the server's own message. */
export async function getJson(path, headers = {}) {
  const response = await fetch(path, { headers, cache: "no-store", credentials: "omit" });
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `${response.status} ${response.statusText}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

/**
 * The server's clock as its answers' ``Date`` headers tell it (to the second), for times the
 * server set (fire times, due times): a device whose own clock is off still counts down with
 * every other screen. Each answer bounds the offset (sent before it was made, received after,
 * the header rounded down); the bounds of every answer are intersected, and when they
 * disagree (this device's clock was changed) the last answer's start again.
 */
export class ServerClock {
  constructor() {
    this.low = -Infinity;
    this.high = Infinity;
  }

  /** Learn from one answer of this server: ``sentAt`` and ``at`` are ``Date.now()`` when the
   *  request was sent and its answer came. */
  heard(response, sentAt, at) {
    const date = Date.parse(response.headers.get("Date") || "");
    if (Number.isNaN(date)) return;
    const low = date - at;
    const high = date + 1000 - sentAt;
    if (Math.max(low, this.low) > Math.min(high, this.high)) {
      [this.low, this.high] = [low, high];
    } else {
      [this.low, this.high] = [Math.max(low, this.low), Math.min(high, this.high)];
    }
  }

  /** Learn from a time the server wrote (an order's ``updated_at``), received at ``at``
   *  (``Date.now()``): its clock had reached it by then. A dish fired as its order was made
   *  is so never drawn held for the second a ``Date`` header leaves open
   *  (kds_client.server_clock keeps the same rule). */
  passed(moment, at) {
    if (Number.isNaN(moment)) return;
    const low = moment - at;
    if (low > this.high) [this.low, this.high] = [low, Infinity]; // this device's clock changed
    else this.low = Math.max(low, this.low);
  }

  /** How far the server's clock is surely ahead of this device's, in ms: the lower bound
   *  (0 until an answer). The server's time taken so is never ahead of the server, so a held
   *  dish is never shown fired before the server would take it as done. */
  get offset() {
    if (!Number.isFinite(this.low)) return 0;
    // With no upper bound (only times the server wrote, which may be old): this device's
    // clock unless the server is known to be ahead of it.
    return Number.isFinite(this.high) ? this.low : Math.max(0, this.low);
  }

  /** The server's time now, in ms since the epoch. */
  now() {
    return Date.now() + this.offset;
  }
}

/** "12:04" in the browser's own time zone. */
export function clock(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A short chime made on the spot (no file to fetch); needs a page that was tapped once. */
export function chime(context, notes = [880, 1320]) {
  if (!context) return;
  const start = context.currentTime;
  notes.forEach((frequency, n) => {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + n * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, start + n * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + n * 0.18 + 0.35);
    osc.connect(gain).connect(context.destination);
    osc.start(start + n * 0.18);
    osc.stop(start + n * 0.18 + 0.4);
  });
}
