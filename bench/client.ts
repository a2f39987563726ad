// `npm run bench:client`: the client's cost over a bare fetch of the same request to the same
// local server, side by side in one run (rounds alternate, so machine noise hits both), and what
// validation against the contract costs per request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createKaleyraClient, type SendVideoInput } from "../src/client/index.ts";
import { example, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";

const perRound = Number(process.env.BENCH_REQUESTS ?? 2_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);

// The server answers every request with the contract's WA202, as fast as node:http can, so the
// difference between the two sides is the client's own work.
const accepted = JSON.stringify(example("accepted").value);
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(accepted) });
    response.end(accepted);
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const sid = "HXAP16XXXXXX97IN";
const apiKey = "bench-key";
const input: SendVideoInput = { phoneNumber: "+918630005920", to: "+919876543210", video: { id: "1166846181421424" }, caption: "Splendid festive celebrations" };
const client = createKaleyraClient({ baseUrl, sid, apiKey });
const prepared = client.prepareVideo(input);
const body = JSON.stringify(prepared.body);
const headers = { "api-key": apiKey, "content-type": "application/json", accept: "application/json" };

async function rawFetch(): Promise<void> {
  const response = await fetch(prepared.url, { method: "POST", headers, body });
  const envelope = (await response.json()) as { data: { message_id: string } };
  if (!envelope.data.message_id) throw new Error("no message id");
}

/** The same fetch with a time limit, the least a production call needs: a reference, not the baseline. */
async function rawFetchWithTimeLimit(): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const response = await fetch(prepared.url, { method: "POST", headers, body, signal: controller.signal });
    const envelope = (await response.json()) as { data: { message_id: string } };
    if (!envelope.data.message_id) throw new Error("no message id");
  } finally {
    clearTimeout(timer);
  }
}

async function viaClient(): Promise<void> {
  const { messageId } = await client.sendVideo(input);
  if (!messageId) throw new Error("no message id");
}

async function time(send: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) await send();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// Warm up both paths (JIT, connection pool, compiled validators).
await time(rawFetch);
await time(viaClient);

const rawMs: number[] = [];
const limitedMs: number[] = [];
const clientMs: number[] = [];
const ratios: number[] = [];
const limitedRatios: number[] = [];
for (let round = 0; round < rounds; round++) {
  // Rotate which side goes first, so drift in the machine's load hits all alike.
  const sides = [rawFetch, rawFetchWithTimeLimit, viaClient];
  const order = [...sides.slice(round % 3), ...sides.slice(0, round % 3)];
  const measured = new Map<() => Promise<void>, number>();
  for (const side of order) measured.set(side, await time(side));
  const [raw, limited, viaKit] = sides.map((side) => measured.get(side)!) as [number, number, number];
  rawMs.push(raw);
  limitedMs.push(limited);
  clientMs.push(viaKit);
  ratios.push(viaKit / raw);
  limitedRatios.push(viaKit / limited);
}

// Validation alone: the contract's request and path-parameter checks the client runs per send.
const checks = compileContractSchemas();
const contract = operation();
const validations = 50_000;
const validationStart = process.hrtime.bigint();
for (let i = 0; i < validations; i++) {
  checks.issues(contract.requestSchemaPointer, prepared.body);
  checks.issues(contract.pathParameterSchemaPointers.sid!, sid);
  checks.issues(contract.pathParameterSchemaPointers.phone_number!, input.phoneNumber);
}
const validationUs = Number(process.hrtime.bigint() - validationStart) / 1e3 / validations;

server.close();
const perRequestUs = (ms: number) => ((ms * 1000) / perRound).toFixed(1);
console.log(`client benchmark: ${rounds} rounds × ${perRound} sequential sends to a local node:http server (keep-alive)`);
console.log(`  raw fetch:        median ${perRequestUs(median(rawMs))} µs/request  (rounds: ${rawMs.map((ms) => perRequestUs(ms)).join(", ")})`);
console.log(`  fetch+time limit: median ${perRequestUs(median(limitedMs))} µs/request  (reference: AbortController and a cleared timer)`);
console.log(`  sendVideo:        median ${perRequestUs(median(clientMs))} µs/request  (rounds: ${clientMs.map((ms) => perRequestUs(ms)).join(", ")})`);
console.log(`  overhead ratio:   ${median(ratios).toFixed(2)}x  (sendVideo / raw fetch, median of per-round ratios; goal ≤ 1.10x)`);
console.log(`  vs fetch+limit:   ${median(limitedRatios).toFixed(2)}x  (what the client adds beyond a time limit)`);
console.log(`  validation cost:  ${validationUs.toFixed(1)} µs/request  (request body + sid + phone_number against the contract)`);
