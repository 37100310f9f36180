'use strict';
// The respread demo's soak client on @grpc/grpc-js: one channel to the Service, CONCURRENCY
// calls at a time in a closed loop, unary (Hello) and server-streaming (Stream, 5 responses) in
// turn, with raw Buffer serializers (no .proto). It prints one JSON line a second with its totals,
// {"ok": N, "connections": N} (connections: the distinct x-connection response headers), one line
// per failed call, {"failure": {"start": ms, "end": ms, "class": "...", "message": "..."}}, and
// stops when its standard input closes, after its calls in flight have ended.
//
// usage: node soak-client.js HOST PORT CONCURRENCY

const grpc = require('@grpc/grpc-js');

const [host, portText, concurrencyText] = process.argv.slice(2);
const port = Number(portText);
const concurrency = Number(concurrencyText);
if (!host || !port || !concurrency) {
  console.error('usage: node soak-client.js HOST PORT CONCURRENCY');
  process.exit(2);
}

const STREAM_MESSAGES = 5;
const raw = (b) => b;
const method = (name, responseStream) => ({
  path: `/respread.demo.Hello/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
const Hello = grpc.makeGenericClientConstructor(
  { Hello: method('Hello', false), Stream: method('Stream', true) }, 'Hello');
const client = new Hello(`${host}:${port}`, grpc.credentials.createInsecure());

let ok = 0;
let running = true;
const connections = new Set();
const EMPTY = Buffer.alloc(0);

function deadline() {
  return new Date(Date.now() + 30000);
}

function seen(metadata) {
  const id = metadata.get('x-connection')[0];
  if (id) connections.add(String(id));
}

function unary() {
  return new Promise((resolve, reject) => {
    const call = client.Hello(EMPTY, { deadline: deadline() }, (err) => (err ? reject(err) : resolve()));
    call.on('metadata', seen);
  });
}

function stream() {
  return new Promise((resolve, reject) => {
    let received = 0;
    const call = client.Stream(EMPTY, { deadline: deadline() });
    call.on('metadata', seen);
    call.on('data', () => { received++; });
    call.on('error', reject);
    call.on('end', () => {
      if (received !== STREAM_MESSAGES) {
        reject(Object.assign(new Error(`received ${received} of ${STREAM_MESSAGES} messages`),
          { code: 'OK_SHORT' }));
      } else {
        resolve();
      }
    });
  });
}

function className(e) {
  if (e && typeof e.code === 'number') {
    const name = Object.keys(grpc.status).find((k) => grpc.status[k] === e.code);
    return name || String(e.code);
  }
  return e && e.code ? String(e.code) : 'error';
}

async function worker(w) {
  for (let i = w; running; i++) {
    const start = Date.now();
    try {
      await (i % 2 === 0 ? unary() : stream());
      ok++;
    } catch (e) {
      const message = String(e && e.message ? e.message : e);
      console.log(JSON.stringify({ failure: { start, end: Date.now(), class: className(e), message } }));
    }
  }
}

function totals() {
  console.log(JSON.stringify({ ok, connections: connections.size }));
}

const timer = setInterval(totals, 1000);
process.stdin.on('data', () => {});
process.stdin.on('end', () => { running = false; });
Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w))).then(() => {
  clearInterval(timer);
  totals();
  client.close();
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
