// `npm run bench:mock`: our mock beside a bare node:http server and `prism mock -v silent`, same
// contract, same valid request, same machine, each run twice and interleaved (these machines are
// shared and noisy). For each: req/s and p50/p99 latency under autocannon (50 connections), the
// largest RSS seen under load, and start-up time from spawn to the first answer. Then, on cold
// mocks, the first Prefer, 405 and 404 against the median plain request.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { specPath } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const repo = fileURLToPath(new URL("..", import.meta.url));

const body = JSON.stringify(operation().requestExamples["with-extra-info"]);
const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
const headers = { "content-type": "application/json", "api-key": "bench-key" };

interface Target {
  name: string;
  command: (port: number) => { file: string; args: string[]; env: Record<string, string> };
}

const targets: Target[] = [
  { name: "bare node:http", command: (port) => ({ file: process.execPath, args: [`${repo}/bench/bare-server.mjs`], env: { PORT: String(port) } }) },
  {
    name: "prism mock -v silent",
    command: (port) => ({ file: process.execPath, args: [`${repo}/node_modules/@stoplight/prism-cli/dist/index.js`, "mock", "-v", "silent", "-p", String(port), "-h", "127.0.0.1", specPath], env: {} }),
  },
  // The journal is on by default (1000 entries); the same mock with it off shows what it costs.
  { name: "our mock", command: (port) => ({ file: process.execPath, args: [`${repo}/dist/src/mock/main.js`], env: { PORT: String(port), KALEYRA_MOCK_LOG: "silent" } }) },
  { name: "our mock, journal off", command: (port) => ({ file: process.execPath, args: [`${repo}/dist/src/mock/main.js`], env: { PORT: String(port), KALEYRA_MOCK_LOG: "silent", KALEYRA_MOCK_JOURNAL_LIMIT: "0" } }) },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function firstAnswer(port: number, started: number, child: ChildProcess): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, body });
      if (response.status === 202) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Measurement {
  startupMs: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  rssMb: number;
  non2xx: number;
  errors: number;
}

async function measure(target: Target): Promise<Measurement> {
  const port = await freePort();
  const { file, args, env } = target.command(port);
  const started = performance.now();
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  try {
    const startupMs = await firstAnswer(port, started, child);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 100);
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, method: "POST", headers, body, connections, duration });
    clearInterval(sampler);
    return {
      startupMs,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      rssMb: peak,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

// BENCH_SKIP_PRISM=1 leaves Prism out (a quicker run while working on the mock).
const measured = targets.filter((target) => !(process.env.BENCH_SKIP_PRISM && target.name.startsWith("prism")));
const results = new Map<string, Measurement[]>(measured.map((target) => [target.name, []]));
for (let round = 1; round <= 2; round++) {
  for (const target of measured) {
    const measured = await measure(target);
    results.get(target.name)!.push(measured);
    process.stderr.write(`round ${round}: ${target.name}: ${Math.round(measured.requestsPerSecond)} req/s\n`);
  }
}

const fmt = (values: number[], digits = 0) => values.map((value) => value.toFixed(digits)).join(" / ");
console.log(`mock benchmark: autocannon, ${connections} connections, ${duration} s, valid requests; each target run twice (run 1 / run 2)\n`);
console.log(["target".padEnd(24), "req/s".padEnd(15), "p50 ms".padEnd(9), "p99 ms".padEnd(9), "RSS MB".padEnd(11), "start ms".padEnd(11), "non-2xx/errors"].join(" "));
for (const [name, runs] of results) {
  console.log([
    name.padEnd(24),
    fmt(runs.map((r) => r.requestsPerSecond)).padEnd(15),
    fmt(runs.map((r) => r.p50)).padEnd(9),
    fmt(runs.map((r) => r.p99)).padEnd(9),
    fmt(runs.map((r) => r.rssMb)).padEnd(11),
    fmt(runs.map((r) => r.startupMs)).padEnd(11),
    runs.map((r) => `${r.non2xx}/${r.errors}`).join(" "),
  ].join(" "));
}
const best = (name: string, pick: (m: Measurement) => number) => results.get(name)!.map(pick);
const ratio = (a: string, b: string, pick: (m: Measurement) => number) => fmt(best(a, pick).map((value, i) => value / best(b, pick)[i]!), 2);
console.log("");
console.log(`ours / bare:  req/s ${ratio("our mock", "bare node:http", (m) => m.requestsPerSecond)}x (goal ≥ 0.7x, journal on), p99 ${ratio("our mock", "bare node:http", (m) => m.p99)}x (goal ≤ 2x)`);
console.log(`journal on / off: req/s ${ratio("our mock", "our mock, journal off", (m) => m.requestsPerSecond)}x`);
if (results.has("prism mock -v silent")) console.log(`ours / prism: req/s ${ratio("our mock", "prism mock -v silent", (m) => m.requestsPerSecond)}x`);
console.log(`ours: start-up ${fmt(best("our mock", (m) => m.startupMs))} ms (goal ≤ 300), RSS under load ${fmt(best("our mock", (m) => m.rssMb))} MB (goal ≤ 120)`);

// A cold mock's first request of each kind the plain case does not cover (a Prefer header, another
// method, another path), against the median of plain requests on the same fresh process: none may
// wait for anything to load. Each round spawns the mock anew.
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
if (coldRounds > 0) {
  const plainCount = 21;
  // An example asked for by name: one that is not its status's first.
  const preferred = operation().examples.find((example, i, all) => all.findIndex((other) => other.status === example.status) !== i)!;
  const firsts = [
    { name: `first Prefer (example=${preferred.name})`, status: preferred.status, path, init: { method: "POST", headers: { ...headers, prefer: `example=${preferred.name}` }, body } },
    { name: "first 405 (GET on the path)", status: 405, path, init: { method: "GET", headers: { "api-key": headers["api-key"] } } },
    { name: "first 404 (another path)", status: 404, path: "/v2/elsewhere", init: { method: "POST", headers, body } },
  ];
  const timed = async (port: number, target: string, init: RequestInit, status: number): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}${target}`, init);
    await response.arrayBuffer();
    const milliseconds = performance.now() - started;
    if (response.status !== status) throw new Error(`${init.method} ${target}: ${response.status}, not ${status}`);
    return milliseconds;
  };
  const plainMedians: number[] = [];
  const firstTimes = firsts.map(() => [] as number[]);
  for (let round = 0; round < coldRounds; round++) {
    const port = await freePort();
    const { file, args, env } = targets.find((target) => target.name === "our mock")!.command(port);
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: "ignore" });
    try {
      await firstAnswer(port, performance.now(), child);
      const plain: number[] = [];
      for (let i = 0; i < plainCount; i++) plain.push(await timed(port, path, { method: "POST", headers, body }, 202));
      plain.sort((a, b) => a - b);
      plainMedians.push(plain[(plainCount - 1) / 2]!);
      for (const [i, first] of firsts.entries()) firstTimes[i]!.push(await timed(port, first.path, first.init, first.status));
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  console.log(`\ncold mock (${coldRounds} fresh processes, journal on): the first request of each kind against the median of ${plainCount} plain requests before it (goal: no slower, within noise)`);
  console.log(`${"plain, median ms".padEnd(44)} ${fmt(plainMedians, 2)}`);
  for (const [i, first] of firsts.entries()) {
    const ratios = firstTimes[i]!.map((value, round) => value / plainMedians[round]!);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    console.log(`${first.name.padEnd(44)} ${fmt(firstTimes[i]!, 2)} ms = ${fmt(ratios, 2)}x (median ${median.toFixed(2)}x)`);
  }
}

// Memory over a long run, journal on: RSS after warm-up, then at each step of 500k requests.
const total = Number(process.env.BENCH_LONG_REQUESTS ?? 500_000);
if (total > 0) {
  const port = await freePort();
  const { file, args, env } = targets.find((target) => target.name === "our mock")!.command(port);
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  try {
    await firstAnswer(port, performance.now(), child);
    const step = total / 5;
    const samples: string[] = [];
    for (let done = 0; done < total; done += step) {
      await autocannon({ url: `http://127.0.0.1:${port}${path}`, method: "POST", headers, body, connections, amount: step });
      samples.push(`${((done + step) / 1000).toFixed(0)}k: ${rssMb(child.pid!).toFixed(0)} MB`);
    }
    console.log(`\nour mock, journal on, RSS over ${total / 1000}k requests: ${samples.join(", ")}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}
