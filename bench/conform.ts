// `npm run bench:conform`: a whole conformance run against the kit's mock, start-up included
// (the goal: at most 5 s), beside a baseline run in the same rounds: the same mock started the
// same way, and as many plain requests sent one after another (no plan, no checks, no
// callbacks). Rounds alternate, so machine noise hits both alike; the ratio is the figure.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { operation } from "../src/contract/operation.ts";
import { startPath } from "../src/tools/start-file.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const sid = "HXAP16XXXXXX97IN";
const phoneNumber = "+918630005920";
const apiKey = "bench-key";
let port = 4470;

async function startMock(): Promise<{ url: string; stop: () => void }> {
  const url = `http://127.0.0.1:${++port}`;
  // What `npm start` runs.
  const child = spawn(process.execPath, [startPath], {
    env: {
      ...process.env,
      PORT: String(port),
      KALEYRA_MOCK_LOG: "silent",
      KALEYRA_MOCK_API_KEY: apiKey,
      KALEYRA_MOCK_SID: sid,
      KALEYRA_MOCK_PHONE_NUMBERS: phoneNumber,
    },
    stdio: "ignore",
  });
  for (;;) {
    const up = await fetch(`${url}/__admin/identity?nonce=bench`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url, stop: () => child.kill("SIGTERM") };
}

async function conformRun(): Promise<{ seconds: number; requests: number }> {
  const started = performance.now();
  const mock = await startMock();
  const report = join(mkdtempSync(join(tmpdir(), "bench-conform-")), "r.json");
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ["dist/src/cli/bin.js", "conform", "--target", mock.url, "--sid", sid, "--phone-number", phoneNumber, "--report", `json=${report}`],
      { env: { ...process.env, KALEYRA_API_KEY: apiKey }, stdio: "ignore" },
    );
    child.on("exit", resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  mock.stop();
  if (code !== 0) throw new Error(`conform exited ${code}`);
  return { seconds, requests: (JSON.parse(readFileSync(report, "utf8")) as { requestsSent: number }).requestsSent };
}

async function baselineRun(requests: number): Promise<number> {
  const started = performance.now();
  const mock = await startMock();
  const body = JSON.stringify(operation().requestExamples["by-media-id"]);
  const path = operation().path.replace("{sid}", sid).replace("{phone_number}", phoneNumber);
  for (let i = 0; i < requests; i++) {
    await new Promise<void>((resolve, reject) => {
      const call = request(
        `${mock.url}${path}`,
        { method: "POST", headers: { "api-key": apiKey, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (answer) => {
          answer.resume();
          answer.on("end", resolve);
        },
      );
      call.on("error", reject);
      call.end(body);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  mock.stop();
  return seconds;
}

const conform: number[] = [];
const baseline: number[] = [];
let requests = 0;
for (let round = 0; round < rounds; round++) {
  const run = await conformRun();
  requests = run.requests;
  conform.push(run.seconds);
  baseline.push(await baselineRun(requests));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (values: number[]) => values.map((value) => value.toFixed(2)).join(", ");
console.log(
  `conform against the kit's mock, start-up included (${requests} requests, the default 200 generated): ${fmt(conform)} s; median ${median(conform).toFixed(2)} s (goal ≤ 5 s)`,
);
console.log(`baseline: the same start-up and ${requests} plain requests, one after another: ${fmt(baseline)} s; median ${median(baseline).toFixed(2)} s`);
console.log(`ratio (conform / baseline), median: ${(median(conform) / median(baseline)).toFixed(2)}x`);
