// What the kitchen board sees of scheduling and pacing: the rules and words of the terminal
// display's kds_tui/pacing.py, mirrored (same names, same words). The server computes every
// fire time; this only compares them with the browser's clock.
//
// A ticket's timer runs from its fire time; an item whose own fire time is still to come is
// *held*: shown greyed with the time until it fires; scheduled orders wait in the upcoming
// strip with the time until they fire; a ticket still in the kitchen after its due time says
// so. Times of day are the browser's local time.

/** Before a held item's countdown, and the upcoming strip's title. */
export const HELD_MARK = "◷";
/** The statuses in which a ticket can be behind its due time (ready is done in time). */
export const KITCHEN_STATUSES = ["pending", "preparing"];

/** When the ticket's timer starts: its fire time (its creation on orders made before fire
 *  times). An ISO string. */
export function startedAt(order) {
  return order.fire_at || order.created_at;
}

/** Time left as ``3:20``, ``12:05`` or ``1:02:03`` (never negative). */
export function countdown(seconds) {
  const whole = Math.max(0, Math.trunc(seconds + 0.999)); // 0.2 s left reads 0:01, not 0:00
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** Whether an item is not to be started yet (its fire time is still to come); ``now`` in ms
 *  (kds_contract's Item.held). */
export function held(item, now) {
  return item.fire_at !== null && item.fire_at !== undefined && Date.parse(item.fire_at) > now;
}

/** The ids of an order's items that are not to be started yet. */
export function heldIds(order, now) {
  return order.items.filter((item) => held(item, now)).map((item) => item.id);
}

/** Whether the order is still being made after the time it was due. */
export function pastDue(order, now) {
  return Boolean(order.due_at) && KITCHEN_STATUSES.includes(order.status) && now > Date.parse(order.due_at);
}

/** ``fires in 3:20``: how long a held item waits (what it says under it). */
export function firesIn(item, now) {
  return `fires in ${countdown((Date.parse(item.fire_at) - now) / 1000)}`;
}

/** Held items as a notice names them: ``Caesar salad fires in 3:20, Soup fires in 1:05``. */
export function heldList(items, now) {
  const oneLine = (text) => text.split(/\s+/).filter(Boolean).join(" ");
  return items.map((item) => `${oneLine(item.name)} ${firesIn(item, now)}`).join(", ");
}

/** What a station's tap finishes of its part, and what it leaves: the unfinished items that
 *  have fired, and those still held until their fire time (kds_tui.model's part_left). */
export function partLeft(items, now) {
  const todo = items.filter((item) => !item.done);
  return [todo.filter((item) => !held(item, now)), todo.filter((item) => held(item, now))];
}

/** What of a ticket changes with time alone, apart from the countdowns: which items are
 *  held and whether it is past due. The same, and the ticket is drawn the same. */
export function looks(order, now) {
  return `${heldIds(order, now).join(",")}|${pastDue(order, now)}`;
}

/** The orders in ``statuses`` (the upcoming ones), the next to fire first. */
export function upcoming(orders, statuses) {
  const found = [...orders].filter((order) => statuses.includes(order.status));
  const at = (order) => Date.parse(order.fire_at || order.created_at);
  return found.sort((a, b) => at(a) - at(b) || a.id - b.id);
}
