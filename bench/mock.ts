// `npm run bench:mock`: our mock beside a bare node:http server and `prism mock -v silent`, same
// contract, same valid request, same machine, each run twice and interleaved (these machines are
// shared and noisy). Our mock runs as `npm start` runs it (the file its script names, default
// settings: request log on, journal on), its log going to a file and to a pipe, and again with the
// log silent and the journal off. For each: req/s and p50/p99 latency under autocannon (50
// connections), the largest RSS seen under load, and start-up time from spawn to the first 202;
// every figure of ours is printed as a ratio of the bare server's from the same round. Then
// start-up alone, interleaved with bare's, over more rounds; the first request of each kind on
// cold mocks against the median plain request; and RSS over 500k requests, log on.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { adminPath, specPath } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { startFile } from "../src/tools/start-file.ts";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const repo = fileURLToPath(new URL("..", import.meta.url));
const loadBefore = loadavg();

const body = JSON.stringify(operation().requestExamples["with-extra-info"]);
const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
const headers = { "content-type": "application/json", "api-key": "bench-key" };

/** Where the target's stdout goes: nowhere, a file (read back when it stops) or a pipe this process drains. */
type Output = "ignore" | "file" | "pipe";

interface Target {
  name: string;
  output: Output;
  command: (port: number) => { file: string; args: string[]; env: Record<string, string> };
}

const bare = "bare node:http";
const asRun = "ours, log to a file";
const mock =
  (env: Record<string, string>, file = startFile) =>
  (port: number) => ({
    file: process.execPath,
    args: [join(repo, file)],
    env: { PORT: String(port), ...env },
  });
/** The same mock from its module files, unbundled: what the bundle saves at start-up. */
const unbundled: Target = { name: "ours, unbundled (dist/src/mock/main.js)", output: "file", command: mock({}, "dist/src/mock/main.js") };

const targets: Target[] = [
  { name: bare, output: "ignore", command: (port) => ({ file: process.execPath, args: [`${repo}/bench/bare-server.mjs`], env: { PORT: String(port) } }) },
  {
    name: "prism mock -v silent",
    output: "ignore",
    command: (port) => ({
      file: process.execPath,
      args: [`${repo}/node_modules/@stoplight/prism-cli/dist/index.js`, "mock", "-v", "silent", "-p", String(port), "-h", "127.0.0.1", specPath],
      env: {},
    }),
  },
  // As users run it: every setting at its default (log on, journal of 1000 on).
  { name: asRun, output: "file", command: mock({}) },
  { name: "ours, log to a pipe", output: "pipe", command: mock({}) },
  { name: "ours, log silent", output: "ignore", command: mock({ KALEYRA_MOCK_LOG: "silent" }) },
  { name: "ours, silent, journal off", output: "ignore", command: mock({ KALEYRA_MOCK_LOG: "silent", KALEYRA_MOCK_JOURNAL_LIMIT: "0" }) },
];

const scratch = mkdtempSync(join(tmpdir(), "bench-mock-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/** A target's process, its stdout wired as the target says; `stop()` ends it and returns the lines of its log (" → "), when it logs. */
interface Running {
  child: ChildProcess;
  stop(): Promise<number | undefined>;
}

function launch(target: Target, port: number): Running {
  const { file, args, env } = target.command(port);
  let logFile: string | undefined;
  let stdio: StdioOptions = "ignore";
  let fd: number | undefined;
  if (target.output === "file") {
    logFile = join(scratch, `${port}.log`);
    fd = openSync(logFile, "w");
    stdio = ["ignore", fd, "ignore"];
  } else if (target.output === "pipe") {
    stdio = ["ignore", "pipe", "ignore"];
  }
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio });
  if (fd !== undefined) closeSync(fd);
  let piped = "";
  let pipedLines = 0;
  // Counted as it comes, the way a reader of the pipe would: only the unfinished line is kept.
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const text = piped + chunk;
    const lines = text.split("\n");
    piped = lines.pop()!;
    for (const line of lines) if (line.includes(" → ")) pipedLines++;
  });
  return {
    child,
    async stop() {
      const exited = new Promise((resolve) => child.once("close", resolve));
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      if (logFile !== undefined)
        return readFileSync(logFile, "utf8")
          .split("\n")
          .filter((line) => line.includes(" → ")).length;
      if (target.output === "pipe") return pipedLines;
      return undefined;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** CPU time the process has used (user and system), in ms: /proc/<pid>/stat counts it in clock ticks, 100 a second. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /s, "")
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
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
  /**
   * The server's CPU time per request, in µs: on a shared machine the surest measure of what a
   * request costs, as it counts none of the time the server waited for a core.
   */
  cpuUs: number;
  non2xx: number;
  errors: number;
  /** Responses autocannon counted, the first 202 included. */
  answered: number;
  /** Lines the log holds once the process stopped (SIGTERM), when it logs somewhere it can be read. */
  logged: number | undefined;
}

async function measure(target: Target): Promise<Measurement> {
  const port = await freePort();
  const started = performance.now();
  const running = launch(target, port);
  let logged: number | undefined;
  let measured: Omit<Measurement, "logged">;
  try {
    const startupMs = await firstAnswer(port, started, running.child);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(running.child.pid!))), 100);
    const cpuBefore = cpuMs(running.child.pid!);
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, method: "POST", headers, body, connections, duration });
    const cpuUs = ((cpuMs(running.child.pid!) - cpuBefore) * 1000) / Math.max(result.requests.total, 1);
    clearInterval(sampler);
    measured = {
      startupMs,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      rssMb: peak,
      cpuUs,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      answered: result.requests.total + 1,
    };
  } finally {
    logged = await running.stop();
  }
  return { ...measured, logged };
}

const fmt = (values: number[], digits = 0) => values.map((value) => value.toFixed(digits)).join(" / ");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// BENCH_SKIP_PRISM=1 leaves Prism out (a quicker run while working on the mock).
const measured = targets.filter((target) => !(process.env.BENCH_SKIP_PRISM && target.name.startsWith("prism")));
const results = new Map<string, Measurement[]>(measured.map((target) => [target.name, []]));
for (let round = 1; round <= 2; round++) {
  for (const target of measured) {
    const measurement = await measure(target);
    results.get(target.name)!.push(measurement);
    process.stderr.write(`round ${round}: ${target.name}: ${Math.round(measurement.requestsPerSecond)} req/s\n`);
  }
}

console.log(`mock benchmark: autocannon, ${connections} connections, ${duration} s, valid requests; each target run twice, interleaved (run 1 / run 2)`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}, Node ${process.version}; load average before: ${loadBefore.map((load) => load.toFixed(2)).join(", ")}, after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(", ")}\n`,
);
console.log(
  [
    "target".padEnd(27),
    "req/s".padEnd(15),
    "p50 ms".padEnd(9),
    "p99 ms".padEnd(9),
    "RSS MB".padEnd(11),
    "start ms".padEnd(11),
    "CPU µs/req".padEnd(11),
    "non-2xx/errors",
  ].join(" "),
);
for (const [name, runs] of results) {
  console.log(
    [
      name.padEnd(27),
      fmt(runs.map((r) => r.requestsPerSecond)).padEnd(15),
      fmt(runs.map((r) => r.p50)).padEnd(9),
      fmt(runs.map((r) => r.p99)).padEnd(9),
      fmt(runs.map((r) => r.rssMb)).padEnd(11),
      fmt(runs.map((r) => r.startupMs)).padEnd(11),
      fmt(runs.map((r) => r.cpuUs)).padEnd(11),
      runs.map((r) => `${r.non2xx}/${r.errors}`).join(" "),
    ].join(" "),
  );
}
const of = (name: string, pick: (m: Measurement) => number) => results.get(name)!.map(pick);
// Round by round: each ratio compares two processes measured a few seconds apart.
const ratio = (a: string, b: string, pick: (m: Measurement) => number) =>
  fmt(
    of(a, pick).map((value, i) => value / Math.max(of(b, pick)[i]!, 1e-9)),
    2,
  );
// Autocannon reports whole milliseconds; a p99 of 0 counts as the 1 ms it rounds to.
const p99 = (m: Measurement) => Math.max(m.p99, 1);
console.log("\nratios to bare node:http, round by round (goals for the mock as users run it: req/s ≥ 0.8x, p99 ≤ 2x, start-up ≤ 2x);");
console.log("requests per CPU second is bare's CPU time per request over ours: what req/s would be with a core each, whatever else runs");
for (const name of results.keys()) {
  if (name === bare) continue;
  console.log(
    `  ${name.padEnd(27)} req/s ${ratio(name, bare, (m) => m.requestsPerSecond)}x   p99 ${ratio(name, bare, p99)}x   start-up ${ratio(name, bare, (m) => m.startupMs)}x   requests per CPU second ${ratio(bare, name, (m) => m.cpuUs)}x`,
  );
}
console.log(
  `  log to a file / silent: req/s ${ratio(asRun, "ours, log silent", (m) => m.requestsPerSecond)}x; journal on / off (silent): req/s ${ratio("ours, log silent", "ours, silent, journal off", (m) => m.requestsPerSecond)}x`,
);
for (const [name, runs] of results) {
  const logging = runs.filter((run) => run.logged !== undefined);
  // Every answer has its line once the process stopped on SIGTERM (a few answers autocannon did not wait for may add lines).
  if (logging.length)
    console.log(
      `  ${name}: log lines after SIGTERM / answers counted: ${logging.map((run) => `${run.logged} / ${run.answered}${run.logged! < run.answered ? " (LINES LOST)" : ""}`).join(", ")}`,
    );
}

// Start-up alone, spawn to the first 202, over more rounds than the load runs, bare and ours in
// turn: the median of each, and their ratio.
const startRounds = Number(process.env.BENCH_START_ROUNDS ?? 10);
if (startRounds > 0) {
  // Wall time, and the CPU time the process used to get there (which other work on the machine does not stretch).
  const times = new Map<string, { wall: number[]; cpu: number[] }>([
    [bare, { wall: [], cpu: [] }],
    [asRun, { wall: [], cpu: [] }],
    [unbundled.name, { wall: [], cpu: [] }],
  ]);
  for (let round = 0; round < startRounds; round++) {
    for (const [name, list] of times) {
      const port = await freePort();
      const started = performance.now();
      const running = launch([...targets, unbundled].find((target) => target.name === name)!, port);
      try {
        list.wall.push(await firstAnswer(port, started, running.child));
        list.cpu.push(cpuMs(running.child.pid!));
      } finally {
        await running.stop();
      }
    }
  }
  const bareTimes = times.get(bare)!;
  console.log(`\nstart-up, spawn to first 202, ${startRounds} rounds interleaved (medians; goal ≤ 2x for npm start's):`);
  console.log(
    `  ${"bare node:http".padEnd(42)} wall ${median(bareTimes.wall).toFixed(0)} ms (${fmt(bareTimes.wall)}), CPU ${median(bareTimes.cpu).toFixed(0)} ms`,
  );
  for (const name of [asRun, unbundled.name]) {
    const ours = times.get(name)!;
    console.log(
      `  ${name.padEnd(42)} wall ${median(ours.wall).toFixed(0)} ms (${fmt(ours.wall)}): ${(median(ours.wall) / median(bareTimes.wall)).toFixed(2)}x; CPU ${median(ours.cpu).toFixed(0)} ms: ${(median(ours.cpu) / median(bareTimes.cpu)).toFixed(2)}x`,
    );
  }
}

// A cold mock's first request of each kind the plain case does not cover (a Prefer header, another
// method, another path, the admin API), against the median of plain requests on the same fresh
// process: none may wait long for anything to load. Each round spawns the mock anew.
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
if (coldRounds > 0) {
  const plainCount = 21;
  // An example asked for by name: one that is not its status's first.
  const preferred = operation().examples.find((example, i, all) => all.findIndex((other) => other.status === example.status) !== i)!;
  const firsts = [
    {
      name: `first Prefer (example=${preferred.name})`,
      status: preferred.status,
      path,
      init: { method: "POST", headers: { ...headers, prefer: `example=${preferred.name}` }, body },
    },
    { name: "first 405 (GET on the path)", status: 405, path, init: { method: "GET", headers: { "api-key": headers["api-key"] } } },
    { name: "first 404 (another path)", status: 404, path: "/v2/elsewhere", init: { method: "POST", headers, body } },
    { name: "first admin call (GET journal)", status: 200, path: adminPath("listRequests"), init: { method: "GET" } },
    { name: "first admin refusal (bad query)", status: 400, path: `${adminPath("listRequests")}?limit=x`, init: { method: "GET" } },
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
    const running = launch(targets.find((target) => target.name === asRun)!, port);
    try {
      await firstAnswer(port, performance.now(), running.child);
      const plain: number[] = [];
      for (let i = 0; i < plainCount; i++) plain.push(await timed(port, path, { method: "POST", headers, body }, 202));
      plainMedians.push(median(plain));
      for (const [i, first] of firsts.entries()) firstTimes[i]!.push(await timed(port, first.path, first.init, first.status));
    } finally {
      await running.stop();
    }
  }
  console.log(
    `\ncold mock (${coldRounds} fresh processes, defaults): the first request of each kind against the median of ${plainCount} plain requests before it`,
  );
  console.log(`${"plain, median ms".padEnd(44)} ${fmt(plainMedians, 2)}`);
  for (const [i, first] of firsts.entries()) {
    const ratios = firstTimes[i]!.map((value, round) => value / plainMedians[round]!);
    console.log(`${first.name.padEnd(44)} ${fmt(firstTimes[i]!, 2)} ms = ${fmt(ratios, 2)}x (median ${median(ratios).toFixed(2)}x)`);
  }
}

// Memory over a long run as users run the mock (log to a file, journal on): RSS after each fifth of 500k requests.
const total = Number(process.env.BENCH_LONG_REQUESTS ?? 500_000);
if (total > 0) {
  const port = await freePort();
  const running = launch(targets.find((target) => target.name === asRun)!, port);
  const step = total / 5;
  const samples: string[] = [];
  let answered = 1;
  try {
    await firstAnswer(port, performance.now(), running.child);
    for (let done = 0; done < total; done += step) {
      const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, method: "POST", headers, body, connections, amount: step });
      answered += result.requests.total;
      samples.push(`${((done + step) / 1000).toFixed(0)}k: ${rssMb(running.child.pid!).toFixed(0)} MB`);
    }
  } finally {
    const logged = await running.stop();
    console.log(
      `\n${asRun}, journal on, RSS over ${total / 1000}k requests: ${samples.join(", ")}; log lines after SIGTERM / answers: ${logged} / ${answered}`,
    );
  }
}
