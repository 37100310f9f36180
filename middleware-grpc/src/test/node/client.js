'use strict';
// A @grpc/grpc-js client for the respread-grpc tests. It calls the test Echo service (described
// in EchoService.java) with raw Buffer serializers, so no .proto file is needed, and prints one
// JSON line: {"ok": N, "errors": N, "firstErrors": [...]}.
//
// usage: node client.js PORT CALLS CONCURRENCY

const grpc = require('@grpc/grpc-js');

const [port, calls, concurrency] = process.argv.slice(2).map(Number);
if (!port || !calls || !concurrency) {
  console.error('usage: node client.js PORT CALLS CONCURRENCY');
  process.exit(2);
}

const raw = (b) => b;
const method = (name, responseStream) => ({
  path: `/respread.test.Echo/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
const Echo = grpc.makeGenericClientConstructor(
  { Unary: method('Unary', false), Stream: method('Stream', true) }, 'Echo');
const client = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

const RESPONSE_SIZE = 256;
const STREAM_MESSAGES = 3;

function deadline() {
  return new Date(Date.now() + 30000);
}

// The response is the server's name, a newline, then the requested number of bytes.
function payloadLength(response) {
  return response.length - response.indexOf(10) - 1;
}

function unary() {
  const request = Buffer.alloc(4);
  request.writeInt32BE(RESPONSE_SIZE);
  return new Promise((resolve, reject) => {
    client.Unary(request, { deadline: deadline() }, (err, response) => {
      if (err) return reject(err);
      if (payloadLength(response) !== RESPONSE_SIZE) {
        return reject(new Error(`response of ${payloadLength(response)} bytes`));
      }
      resolve();
    });
  });
}

function stream() {
  const request = Buffer.alloc(8);
  request.writeInt32BE(STREAM_MESSAGES, 0);
  request.writeInt32BE(5, 4);
  return new Promise((resolve, reject) => {
    let received = 0;
    const call = client.Stream(request, { deadline: deadline() });
    call.on('data', () => { received++; });
    call.on('error', reject);
    call.on('end', () => {
      if (received !== STREAM_MESSAGES) {
        reject(new Error(`received ${received} of ${STREAM_MESSAGES} messages`));
      } else {
        resolve();
      }
    });
  });
}

async function main() {
  let ok = 0;
  let errors = 0;
  const firstErrors = [];
  let next = 0;
  async function worker() {
    while (next < calls) {
      const i = next++;
      try {
        await (i % 5 === 4 ? stream() : unary());
        ok++;
      } catch (e) {
        errors++;
        if (firstErrors.length < 5) firstErrors.push(String(e && e.message ? e.message : e));
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  client.close();
  console.log(JSON.stringify({ ok, errors, firstErrors }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
