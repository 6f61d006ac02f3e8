// The kitchen board's orders, kept by seq exactly as kds_client's store does: a snapshot at
// a known seq, then every event after it in order; duplicates and stale events are
// dropped, an event after a gap waits for the gap to be filled (by the API's event log).
// It keeps the orders in the statuses it is given: the open ones and the upcoming
// (scheduled) ones.

export class Store {
  constructor(keptStatuses) {
    this.kept = new Set(keptStatuses);
    this.orders = new Map(); // id -> order, in the kept statuses only
    this.seq = null; // null until the first snapshot
    this.held = new Map(); // seq -> [type, data], events after a gap
  }

  get loaded() {
    return this.seq !== null;
  }

  reset(orders, seq) {
    this.orders.clear();
    for (const order of orders) if (this.kept.has(order.status)) this.orders.set(order.id, order);
    this.seq = seq;
    for (const held of [...this.held.keys()]) if (held <= seq) this.held.delete(held);
    return this.drain();
  }

  /** Applies one event; returns the ids it changed, or null when it waits for a gap. */
  apply(type, data) {
    if (this.seq === null || data.seq <= this.seq) return [];
    if (data.seq > this.seq + 1) {
      this.held.set(data.seq, [type, data]);
      return null;
    }
    return [...this.put(type, data), ...this.drain()];
  }

  /** Applies the events of the API's log (``GET /api/events``), in order. */
  catchUp(events) {
    const changed = [];
    for (const event of events) {
      if (event.seq <= this.seq) continue;
      changed.push(...this.put(event.type, event.data));
    }
    return [...changed, ...this.drain()];
  }

  /** Applies an answer of the server to this board's own tap (newer versions only). */
  confirm(order) {
    const known = this.orders.get(order.id);
    if (known && known.version >= order.version) return [];
    if (this.kept.has(order.status)) this.orders.set(order.id, order);
    else this.orders.delete(order.id);
    return [order.id];
  }

  get gap() {
    return this.held.size > 0;
  }

  put(type, data) {
    this.seq = data.seq;
    if (type === "order:deleted") {
      this.orders.delete(data.orderId);
      return [data.orderId];
    }
    const order = data.order;
    const known = this.orders.get(order.id);
    if (known && known.version > order.version) return [];
    if (this.kept.has(order.status)) this.orders.set(order.id, order);
    else this.orders.delete(order.id);
    return [order.id];
  }

  drain() {
    const changed = [];
    while (this.held.has(this.seq + 1)) {
      const [type, data] = this.held.get(this.seq + 1);
      this.held.delete(this.seq + 1);
      changed.push(...this.put(type, data));
    }
    return changed;
  }
}

const SNAPSHOT_PAGE = 200;
const EVENTS_PAGE = 1000;
const MAX_CATCH_UP = 5000;

/** Brings ``store`` up to date through the REST API with ``get(path)`` (JSON). */
export async function sync(store, get) {
  if (!store.loaded) await snapshot(store, get);
  let reloaded = false;
  for (;;) {
    const after = store.seq;
    const page = await get(`/api/events?after=${after}&limit=${EVENTS_PAGE}`);
    const behind = page.last_seq - after;
    if (!reloaded && !(behind >= 0 && behind <= MAX_CATCH_UP)) {
      // Far behind, or the server's history is shorter than ours (a new database).
      await snapshot(store, get);
      reloaded = true;
      continue;
    }
    store.catchUp(page.events);
    if (!page.events.length || (store.seq >= page.last_seq && page.events.length < EVENTS_PAGE)) return;
  }
}

async function snapshot(store, get) {
  const statuses = [...store.kept].map((s) => `status=${s}`).join("&");
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const orders = [];
    const seqs = new Set();
    for (let number = 1; ; number += 1) {
      const page = await get(`/api/orders?${statuses}&per_page=${SNAPSHOT_PAGE}&sort=id&page=${number}`);
      orders.push(...page.orders);
      seqs.add(page.seq);
      if (number * page.per_page >= page.total || !page.orders.length) break;
    }
    // The first page's seq is the one to catch up from; if orders changed between pages,
    // one may have slipped from a page to another unseen: read again.
    if (seqs.size === 1 || attempt === 2) {
      store.reset(orders, Math.min(...seqs));
      return;
    }
  }
}
