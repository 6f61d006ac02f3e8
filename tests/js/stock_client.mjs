// The stock socket.io-client, as the original web front end used it: one connection
// without a token (must be refused), then one with auth {token}, join:kitchen, and every
// order event printed as a JSON line.
import { io } from "socket.io-client";

const [url, token] = process.argv.slice(2);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const anonymous = io(url, { transports: ["websocket"], reconnection: false });
anonymous.on("connect_error", (err) => {
  print({ refused: err.message });
  anonymous.close();
  const socket = io(url, { auth: { token }, transports: ["websocket"] });
  socket.on("connect", () => {
    socket.emit("join:kitchen", (ack) => print({ joined: ack }));
  });
  for (const event of ["order:created", "order:statusUpdated", "order:updated", "order:deleted"]) {
    socket.on(event, (data) => print({ event, data }));
  }
});
