// The conformance run with a real key against targets that are not the kit's mock: a full plan
// only for a target that proves it is the mock (or that the user vouches for), never for an
// address; nothing a lenient server could take as a send carries the key in the safe plan; every
// exchange and the run are bounded; SIGINT leaves reports; credentials and the key never show.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { example, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { secretForms } from "../src/http/secrets.ts";
import { startTestMock, type TestMock } from "../test/support/mock.ts";
import { businessNumber, sid } from "../test/support/requests.ts";
import { runLimitMs, waitMs, within } from "../test/support/wait.ts";
import { conform } from "../src/cli/tools/conform.ts";
import { fictionalRecipient } from "./plan.ts";
import { jsonReport, junit, summary } from "../src/judge/report.ts";
import { runConformance, type RunOptions } from "./runner.ts";

// Each test here makes whole conformance runs: bounded by the work, not by one exchange's time.
vi.setConfig({ testTimeout: runLimitMs });

const apiKey = 'real-K3y/"secret+=';
const seed = 7;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface Stub {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A loopback server standing in for a port-forward to a real pod: it answers as it likes. */
async function stub(answer: (seen: Seen, response: ServerResponse) => void): Promise<Stub> {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const acceptedBody = JSON.stringify(example("accepted").value);
/** Accepts everything, as the most lenient pod would: every request is a send to it. */
const lenient = (_seen: Seen, response: ServerResponse) => response.writeHead(202, { "content-type": "application/json" }).end(acceptedBody);

const schemas = compileContractSchemas();
/** What a lenient server could take as a real send: the key, and a valid message whatever the media type. */
const sendsWithKey = (seen: Seen[]) =>
  seen.filter((request) => {
    if (request.headers["api-key"] !== apiKey) return false;
    try {
      return schemas.check(operation().requestSchemaPointer, JSON.parse(request.body)).ok;
    } catch {
      return false;
    }
  });

const options = (target: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  target,
  sid,
  phoneNumber: businessNumber,
  apiKey,
  seed,
  runs: 20,
  timeoutMs: 2_000,
  ...extra,
});

const stubs: Stub[] = [];
const track = async (made: Promise<Stub>) => {
  const s = await made;
  stubs.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
});
afterAll(async () => {
  await mock.close();
});

describe("a target gets the full plan only by proving it is the kit's mock", () => {
  it("a mock whose admin API needs a token proves it only to a run that has the token, and the token is in no report", async () => {
    const token = "admin-token-c0ffee";
    const guarded = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] }, "fast", { adminToken: token });
    try {
      const without = await runConformance(options(guarded.url, { runs: 0 }));
      expect(without.mode).toBe("live");
      const withToken = await runConformance(options(guarded.url, { runs: 0, adminToken: token }));
      expect(withToken.mode).toBe("mock");
      expect(withToken.ok).toBe(true);
      const reports = [summary(withToken), junit(withToken), jsonReport(withToken)].join("\n");
      for (const form of secretForms(token)) expect(reports).not.toContain(form);
    } finally {
      await guarded.close();
    }
  });

  it("a loopback port-forward to a lenient 'pod' gets the safe plan: no valid message carries the key", async () => {
    const pod = await track(stub(lenient));
    const result = await runConformance(options(pod.url));
    expect(result.mode).toBe("live");
    expect(result.acceptableSent).toBe(0);
    expect(sendsWithKey(pod.seen)).toEqual([]);
    // Every recipient the contract would take is the fictional one.
    const base = operation().requestExamples["by-media-id"] as { messaging_object: Record<string, unknown> };
    for (const request of pod.seen) {
      const to = (() => {
        try {
          return (JSON.parse(request.body) as { messaging_object?: { to?: unknown } }).messaging_object?.to;
        } catch {
          return undefined;
        }
      })();
      const deliverable =
        to !== undefined && schemas.check(operation().requestSchemaPointer, { ...base, messaging_object: { ...base.messaging_object, to } }).ok;
      if (deliverable) expect(to).toBe(fictionalRecipient);
    }
    // The probes still ran, and the lenient pod is caught accepting what it must refuse.
    expect(result.outcomes.length).toBeGreaterThan(20);
    expect(result.ok).toBe(false);
  });

  const impostors: [string, (seen: Seen, response: ServerResponse) => void][] = [
    [
      "answers the identity path with a static body",
      (seen, response) =>
        seen.url.startsWith("/__admin/identity")
          ? response
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ kit: "kaleyra-whatsapp-video-kit", role: "mock", nonce: "0".repeat(32), delivers: false }))
          : lenient(seen, response),
    ],
    [
      "echoes the nonce but claims to deliver",
      (seen, response) => {
        const nonce = new URL(seen.url, "http://x").searchParams.get("nonce");
        if (seen.url.startsWith("/__admin/identity"))
          response
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ kit: "kaleyra-whatsapp-video-kit", role: "mock", nonce, delivers: true }));
        else lenient(seen, response);
      },
    ],
    [
      "redirects the identity path to the real mock",
      (seen, response) =>
        seen.url.startsWith("/__admin/identity") ? response.writeHead(307, { location: `${mock.url}${seen.url}` }).end() : lenient(seen, response),
    ],
    ["answers 202 to everything, identity included", lenient],
  ];
  for (const [what, answer] of impostors) {
    it(`a target that ${what} is not taken for the mock`, async () => {
      const pod = await track(stub(answer));
      const result = await runConformance(options(pod.url));
      expect(result.mode).toBe("live");
      expect(sendsWithKey(pod.seen)).toEqual([]);
      // The identity probe never carries the key.
      expect(pod.seen.filter((request) => request.url.startsWith("/__admin/identity")).map((request) => request.headers["api-key"])).toEqual([undefined]);
    });
  }

  it("the kit's mock proves itself and gets the full plan", async () => {
    const result = await runConformance(options(mock.url));
    expect(result.mode).toBe("mock");
    expect(result.ok).toBe(true);
    expect(result.acceptableSent).toBeGreaterThan(20);
  });

  it("--trusted-target gives a stand-in the full plan without asking it", async () => {
    const pod = await track(stub(lenient));
    const result = await runConformance(options(pod.url, { trustedTarget: true }));
    expect(result.mode).toBe("trusted");
    expect(pod.seen.some((request) => request.url.startsWith("/__admin/"))).toBe(false);
    expect(sendsWithKey(pod.seen).length).toBe(result.acceptableSent);
    expect(result.acceptableSent).toBeGreaterThan(20);
  });

  it("with --allow-send, exactly --max-sends valid messages carry the key, all to --to", async () => {
    const pod = await track(stub(lenient));
    const to = "+919812345678";
    const result = await runConformance(options(pod.url, { allowSend: true, to, maxSends: 3 }));
    const sends = sendsWithKey(pod.seen);
    expect(sends).toHaveLength(3);
    expect(result.acceptableSent).toBe(3);
    for (const send of sends) expect((JSON.parse(send.body) as { messaging_object: { to: string } }).messaging_object.to).toBe(to);
  });
});

describe("bounded: every exchange, every body, the run", () => {
  it("the count of requests sent is exact, the identity probe and shrinking steps included", async () => {
    // Wrong on captions at their limit: generated requests fail and are shrunk.
    const pod = await track(
      stub((seen, response) => {
        try {
          const caption = (JSON.parse(seen.body) as { messaging_object?: { video?: { caption?: string } } }).messaging_object?.video?.caption ?? "";
          if (caption.length > 1000)
            return response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(example("incorrect-payload").value));
        } catch {
          // not JSON: fall through
        }
        response
          .writeHead(seen.headers["api-key"] === apiKey && seen.headers["content-type"] === "application/json" ? 202 : 400, {
            "content-type": "application/json",
          })
          .end(
            seen.headers["api-key"] === apiKey && seen.headers["content-type"] === "application/json"
              ? acceptedBody
              : JSON.stringify(example("incorrect-payload").value),
          );
      }),
    );
    const result = await runConformance(options(pod.url, { trustedTarget: true, runs: 60 }));
    expect(result.requestsSent).toBe(pod.seen.length);
    const trusted = await runConformance(options(mock.url, { runs: 5 }));
    // + the identity probe, and the callback stage's three admin calls (read, point, restore)
    expect(trusted.callbacks).toBeDefined();
    expect(trusted.requestsSent).toBe(trusted.outcomes.length + 1 + 3);
  });

  it("a target that drips its answer is cut by the one deadline of each exchange", async () => {
    const pod = await track(
      stub((_seen, response) => {
        response.writeHead(400, { "content-type": "application/json" });
        const timer = setInterval(() => response.write(" "), 50);
        response.on("close", () => clearInterval(timer));
      }),
    );
    // The run ends (within the tests' wait, which bounds a hang), however busy the machine.
    const result = await within("a run against a dripping target", runConformance(options(pod.url, { timeoutMs: 200, runTimeoutMs: 3_000 })));
    // Nothing ever answered whole: one diagnosis, not a timeout per case.
    expect(result.outcomes).toEqual([]);
    expect(result.diagnosis).toEqual({ kind: "silent", message: expect.stringMatching(/no complete answer within 200 ms/) });
    expect(result.ok).toBe(false);
  });

  it("once a target has answered, a dripping answer fails `answered` for its case alone", async () => {
    const pod = await track(
      stub((seen, response) => {
        // The identity probe gets a quick 404, as a pod gives it; every send drips.
        if (seen.url.startsWith("/__admin/")) return void response.writeHead(404, { "content-type": "application/json" }).end("{}");
        response.writeHead(400, { "content-type": "application/json" });
        const timer = setInterval(() => response.write(" "), 50);
        response.on("close", () => clearInterval(timer));
      }),
    );
    const result = await runConformance(options(pod.url, { timeoutMs: 200, runTimeoutMs: 1_500 }));
    expect(result.diagnosis).toBeUndefined();
    expect(result.outcomes.length).toBeGreaterThan(1);
    expect(result.outcomes[0]!.checks).toEqual([
      { name: "answered", ok: false, severity: "violation", detail: expect.stringMatching(/^no answer: timeout: no complete answer within 200 ms/) },
    ]);
  });

  it("a huge answer is cut at the limit: the case fails `answered`, the run goes on", async () => {
    const pod = await track(
      stub((_seen, response) => {
        response.writeHead(400, { "content-type": "application/json" });
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 64 && response.write(chunk)) sent++;
          if (sent < 64) response.once("drain", pump);
          else response.end();
        };
        pump();
      }),
    );
    const result = await runConformance(options(pod.url, { maxResponseBytes: 100_000 }));
    expect(result.outcomes.length).toBeGreaterThan(20);
    expect(result.outcomes.every((outcome) => outcome.checks[0]?.name === "answered" && /too-large/.test(outcome.checks[0].detail))).toBe(true);
  });

  it("--run-timeout-ms stops the run and marks it partial", async () => {
    // Each answer takes a second: the whole run (some 60 exchanges, one after another) would take
    // a minute, three times the tests' wait, which the stopped run ends well within on any machine.
    const pod = await track(stub((_seen, response) => setTimeout(() => lenient(_seen, response), 1_000)));
    const result = await within("a run stopped at 400 ms", runConformance(options(pod.url, { runTimeoutMs: 400 })));
    expect(result.interrupted).toMatch(/time limit of 400 ms/);
    expect(result.ok).toBe(false);
    expect(summary(result)).toMatch(/PARTIAL/);
  });

  it(
    "SIGINT through npm run conform (tsx) writes the reports for what ran so far",
    async () => {
      const pod = await track(stub((_seen, response) => setTimeout(() => lenient(_seen, response), 150)));
      const dir = mkdtempSync(join(tmpdir(), "conform-sigint-"));
      const json = join(dir, "report.json");
      const xml = join(dir, "report.xml");
      const child = spawn(
        "npm",
        [
          "run",
          "--silent",
          "conform",
          "--",
          "--target",
          pod.url,
          "--sid",
          sid,
          "--phone-number",
          businessNumber,
          "--report",
          `json=${json}`,
          "--report",
          `junit=${xml}`,
        ],
        {
          env: { ...process.env, KALEYRA_API_KEY: apiKey },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        },
      );
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      // npm, tsx and the run start first: seconds on a busy machine, so the wait is the tests' wait for a hang.
      await expect.poll(() => pod.seen.length, { timeout: waitMs }).toBeGreaterThan(4);
      process.kill(-child.pid!, "SIGINT"); // the whole group, as a terminal's Ctrl-C does
      const [code, signal] = await within(
        "the run's exit",
        new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, sig) => resolve([c, sig]))),
      );
      expect(existsSync(json), output).toBe(true);
      const report = JSON.parse(readFileSync(json, "utf8")) as { interrupted: string; cases: unknown[]; requestsSent: number };
      expect(report.interrupted).toBe("stopped by SIGINT");
      expect(report.cases.length).toBeGreaterThan(2);
      expect(readFileSync(xml, "utf8")).toContain('name="interrupted" value="stopped by SIGINT"');
      // npm re-raises the signal its child ended on, as a shell expects.
      expect([code, signal]).toEqual([null, "SIGINT"]);
      for (const form of secretForms(apiKey)) expect(output + readFileSync(json, "utf8")).not.toContain(form);
    },
    3 * waitMs,
  );

  for (const [signal, exitCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(
      `${signal} to the installed bin: exit ${exitCode}, a partial summary, the reports written`,
      async () => {
        const pod = await track(stub((_seen, response) => setTimeout(() => lenient(_seen, response), 150)));
        const dir = mkdtempSync(join(tmpdir(), "conform-signal-"));
        const json = join(dir, "report.json");
        const child = spawn(
          process.execPath,
          ["dist/src/cli/bin.js", "conform", "--target", pod.url, "--sid", sid, "--phone-number", businessNumber, "--report", `json=${json}`],
          {
            env: { ...process.env, KALEYRA_API_KEY: apiKey },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        await expect.poll(() => pod.seen.length, { timeout: waitMs }).toBeGreaterThan(3);
        child.kill(signal);
        const code = await within("the run's exit", new Promise<number | null>((resolve) => child.on("close", resolve)));
        expect(code).toBe(exitCode);
        expect(stdout).toMatch(new RegExp(`PARTIAL: the run stopped early \\(stopped by ${signal}\\)`));
        expect((JSON.parse(readFileSync(json, "utf8")) as { interrupted: string }).interrupted).toBe(`stopped by ${signal}`);
      },
      3 * waitMs,
    );
  }
});

describe("credentials and the key never show", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: { KALEYRA_API_KEY: apiKey }, out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
  };

  it("a target with credentials is refused without printing them", async () => {
    for (const target of [
      "http://user:hunter2@127.0.0.1:9/",
      "http://hunter2@127.0.0.1:9",
      "http://127.0.0.1:9/?token=hunter2",
      "http://127.0.0.1:9/#hunter2",
    ]) {
      const { out, err, io: streams } = io();
      expect(await conform(["--target", target, "--sid", sid, "--phone-number", businessNumber], streams)).toBe(2);
      expect([...out, ...err].join("\n")).not.toContain("hunter2");
    }
  });

  it("unknown pods, __proto__ among them, are usage errors", async () => {
    for (const args of [
      ["--pod", "__proto__"],
      ["--pod", "constructor"],
      ["--pod", "us"],
      ["--target", "__proto__"],
      ["--target", "constructor"],
      ["--pod", "in", "--target", "http://127.0.0.1:9"],
    ]) {
      const { err, io: streams } = io();
      expect(await conform([...args, "--sid", sid, "--phone-number", businessNumber], streams), args.join(" ")).toBe(2);
      expect(err.join("\n")).toMatch(/^conform: /);
    }
  });

  it("a key the target echoes in code, Content-Type, headers and body is masked in every report", async () => {
    const echoes = [apiKey, JSON.stringify(apiKey).slice(1, -1), encodeURIComponent(apiKey), Buffer.from(apiKey).toString("base64")];
    const pod = await track(
      stub((seen, response) => {
        const echo = echoes[seen.body.length % echoes.length]!;
        response
          .writeHead(400, { "content-type": `application/json; charset=${echo}`, "x-echo": echo })
          .end(JSON.stringify({ code: echo, message: `key ${echo}`, data: {}, error: { [echo]: JSON.stringify(echo) } }));
      }),
    );
    const result = await runConformance(options(pod.url, { trustedTarget: true, runs: 10 }));
    const everything = [summary(result, 1_000), junit(result), jsonReport(result)].join("\n");
    for (const form of secretForms(apiKey)) expect(everything).not.toContain(form);
    expect(everything).toContain("***");
  });
});
