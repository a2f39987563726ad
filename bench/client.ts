// `npm run bench:client`: the client's cost over a plain openapi-fetch POST and over a bare fetch
// of the same request to the same local server, side by side in one run (rounds rotate, so
// machine noise hits all alike), and what validation against the contract costs per request.
import { Agent, createServer, request as httpRequest } from "node:http";
import createClient from "openapi-fetch";
import type { paths } from "../generated/kaleyra-whatsapp-video.ts";
import type { AddressInfo } from "node:net";
import { createKaleyraClient, type SendVideoInput } from "../src/index.ts";
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
const input: SendVideoInput = {
  phoneNumber: "+918630005920",
  to: "+919876543210",
  video: { id: "1166846181421424" },
  caption: "Splendid festive celebrations",
};
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

// The least node:http needs for the same exchange on a kept-alive connection: the floor under the
// kit's own transport, as bare fetch is the floor under openapi-fetch's.
const agent = new Agent({ keepAlive: true });
const bodyBytes = Buffer.from(body);
function rawHttp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(prepared.url, { method: "POST", agent, headers: { ...headers, "content-length": bodyBytes.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { message_id: string } };
        if (envelope.data.message_id) resolve();
        else reject(new Error("no message id"));
      });
    });
    call.on("error", reject);
    call.end(bodyBytes);
  });
}

// openapi-fetch as its README shows it, with the same headers and body: what the client is built on.
const plain = createClient<paths>({ baseUrl, headers: { "api-key": apiKey, accept: "application/json" } });
async function viaOpenapiFetch(): Promise<void> {
  const { data } = await plain.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
    params: { path: { sid, phone_number: input.phoneNumber } },
    body: prepared.body,
  });
  if (!data?.data.message_id) throw new Error("no message id");
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

// Warm up every path (JIT, connection pool, compiled validators).
await time(rawFetch);
await time(rawHttp);
await time(viaOpenapiFetch);
await time(viaClient);

const sides = { raw: rawFetch, limited: rawFetchWithTimeLimit, http: rawHttp, openapiFetch: viaOpenapiFetch, client: viaClient };
type Side = keyof typeof sides;
const names = Object.keys(sides) as Side[];
const ms: Record<Side, number[]> = { raw: [], limited: [], http: [], openapiFetch: [], client: [] };
const ratios = { raw: [] as number[], limited: [] as number[], http: [] as number[], openapiFetch: [] as number[] };
for (let round = 0; round < rounds; round++) {
  // Rotate which side goes first, so drift in the machine's load hits all alike.
  const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
  const measured = {} as Record<Side, number>;
  for (const side of order) measured[side] = await time(sides[side]);
  for (const side of names) ms[side].push(measured[side]);
  ratios.raw.push(measured.client / measured.raw);
  ratios.limited.push(measured.client / measured.limited);
  ratios.openapiFetch.push(measured.client / measured.openapiFetch);
  ratios.http.push(measured.client / measured.http);
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
const perRequestUs = (total: number) => ((total * 1000) / perRound).toFixed(1);
const row = (label: string, side: Side, note: string) =>
  console.log(
    `  ${label.padEnd(22)} median ${perRequestUs(median(ms[side]))} µs/request  (rounds: ${ms[side].map((total) => perRequestUs(total)).join(", ")})${note}`,
  );
console.log(`client benchmark: ${rounds} rounds × ${perRound} sequential sends to a local node:http server (keep-alive), side by side`);
row("bare fetch", "raw", "");
row("fetch + time limit", "limited", "  (AbortController and a cleared timer)");
row("bare node:http", "http", "  (kept-alive agent: the floor under the kit's transport)");
row("openapi-fetch POST", "openapiFetch", "  (plain, on fetch: no checks, follows redirects, reads unbounded)");
row("sendVideo", "client", "");
console.log(`  sendVideo / openapi-fetch POST: ${median(ratios.openapiFetch).toFixed(2)}x  (the client's own work: checks, limits, safety; goal ≤ 1.10x)`);
console.log(`  sendVideo / bare fetch:         ${median(ratios.raw).toFixed(2)}x  (aim 1.15x)`);
console.log(`  sendVideo / fetch + time limit: ${median(ratios.limited).toFixed(2)}x`);
console.log(`  sendVideo / bare node:http:     ${median(ratios.http).toFixed(2)}x  (everything the client does above the socket)`);
console.log(`  validation cost:                ${validationUs.toFixed(1)} µs/request  (request body + sid + phone_number against the contract)`);
