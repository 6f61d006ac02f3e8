// A load generator: COUNT Socket.IO clients in the kitchen room, speaking the Engine.IO 4 /
// Socket.IO 5 protocol over WebSocket directly (the `ws` package that socket.io itself uses),
// so that one process holds a thousand clients cheaply and times each message.
//
// Orders made by bench.loadgen carry `bench i=<n> t=<unix time>` in their notes: every event
// received is recorded as [n, now - t] (seconds). Driven over stdin/stdout: prints
// `ready <connected>`; `collect PATH` writes what arrived since the last collect and prints
// `done`; `quit` closes every client.
//
//   node bench/node/clients.js URL TOKEN COUNT
const fs = require("fs");
const readline = require("readline");
const { performance } = require("perf_hooks");
const WebSocket = require("ws");

const [url, token, countText] = process.argv.slice(2);
const count = parseInt(countText, 10);
const wsUrl = url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
const MARK = /bench i=(\d+) t=([0-9.]+)/;
const now = () => (performance.timeOrigin + performance.now()) / 1000;

let records = [];
let other = 0;
const sockets = [];

function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    let state = "open";
    ws.on("error", reject);
    ws.on("message", (buffer, isBinary) => {
      if (isBinary) return;
      const text = buffer.toString();
      if (state === "live") {
        if (text === "2") { ws.send("3"); return; }
        const found = MARK.exec(text);
        if (found) records.push([parseInt(found[1], 10), now() - parseFloat(found[2])]);
        else other += 1;
        return;
      }
      if (text === "2") { ws.send("3"); return; }
      if (state === "open" && text[0] === "0") {
        state = "auth";
        ws.send("40" + JSON.stringify({ token }));
      } else if (state === "auth" && text.startsWith("40")) {
        state = "join";
        ws.send('420["join:kitchen"]');
      } else if (state === "auth" && text.startsWith("44")) {
        reject(new Error("refused: " + text));
      } else if (state === "join" && text.startsWith("430")) {
        state = "live";
        sockets.push(ws);
        resolve();
      }
    });
  });
}

async function main() {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      try { await connect(); } catch (err) { failed += 1; if (failed === 1) console.error(String(err)); }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  console.log(`ready ${sockets.length}`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const [command, arg] = line.trim().split(" ");
    if (command === "collect") {
      fs.writeFileSync(arg, JSON.stringify({ records, other }));
      records = [];
      other = 0;
      console.log("done");
    } else if (command === "quit") {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
}

main();
