// The stock socket.io 4.8 server doing what the KDS server does for the benchmark: accept
// a token in `auth`, join the kitchen room, and on POST /api/orders assign an id and a seq
// and broadcast `order:created` {order, seq} to the kitchen and admin rooms.
const http = require("http");
const { Server } = require("socket.io");

const port = parseInt(process.argv[2] || "5100", 10);
let seq = 0;
let nextId = 0;

function makeOrder(body) {
  const now = new Date().toISOString();
  return {
    id: ++nextId, status: "pending", order_type: body.order_type || "dine_in",
    table: body.table ?? null, customer_name: body.customer_name ?? null, user_id: null,
    priority: body.priority || "normal", notes: body.notes ?? null,
    items: (body.items || []).map((it, i) => ({
      id: i + 1, name: it.name, quantity: it.quantity || 1, modifiers: it.modifiers || [],
      notes: it.notes ?? null, station: it.station ?? null, done: false,
    })),
    total_cents: body.total_cents ?? null, version: 1, created_at: now, updated_at: now,
    pending_at: now, preparing_at: null, ready_at: null, completed_at: null, cancelled_at: null,
  };
}

const httpServer = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/api/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
    return;
  }
  if (req.method === "POST" && req.url === "/api/orders") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const payload = { order: makeOrder(JSON.parse(Buffer.concat(chunks).toString())), seq: ++seq };
      io.to("kitchen").to("admin").emit("order:created", payload);
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, { path: "/socket.io" });
io.use((socket, next) =>
  socket.handshake.auth && socket.handshake.auth.token ? next() : next(new Error("unauthorized")));
io.on("connection", (socket) => {
  socket.on("join:kitchen", (ack) => {
    socket.join("kitchen");
    if (typeof ack === "function") ack({ ok: true, room: "kitchen" });
  });
});
httpServer.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
