// The mock as a process: `npm start` as a user runs it, and its entry point as a supervisor runs
// it (SIGTERM or SIGINT lets in-flight requests finish, then it exits 0).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startPath } from "../src/tools/start-file.ts";
import { messagesPath } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { until, waitMs } from "./support/wait.ts";

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    // Each child leads its own process group; take the whole group down, npm's children included.
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

// The file `npm start` runs (the build's bundle of the mock), without npm in between.
const entry = [process.execPath, startPath] as const;
const npmStartCommand = ["npm", "start", "--silent"] as const;

function startProcess(command: readonly string[], env: Record<string, string>) {
  const [file, ...args] = command;
  const child = spawn(file!, args, { env: { ...process.env, ...env }, detached: true });
  children.push(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock did not start:\n${output}`)), waitMs);
    child.stdout.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mock exited with ${code}:\n${output}`));
    });
  });
  return { child, listening, output: () => output };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return once(child, "exit").then(([code]) => code as number | null);
}

describe("npm start", () => {
  it("serves the contract on loopback, answers the vendor's sample request with 202 WA202, and stops on Ctrl-C", async () => {
    const { child, listening, output } = startProcess(npmStartCommand, { PORT: "0" });
    const url = await listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await rawRequest(url, {
      method: "POST",
      path: messagesPath("HAXP2142XX", businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey, "cache-control": "no-cache" },
      body: JSON.stringify(validBody()),
    });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.text)).toMatchObject({ code: "WA202", data: { message_id: expect.any(String) } });
    // A terminal's Ctrl-C signals the whole foreground group: npm and the mock. npm may exit
    // before the mock has finished, so wait for the mock itself to stop listening.
    process.kill(-child.pid!, "SIGINT");
    await exited(child);
    const refused = async () =>
      rawRequest(url, { method: "POST", path: "/" }).then(
        () => false,
        () => true,
      );
    const deadline = Date.now() + 10_000;
    while (!(await refused()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await refused()).toBe(true);
    expect(output()).toMatch(/SIGINT: finishing in-flight requests/);
  });
});

describe("the mock's entry point", () => {
  it("exits 0 on SIGTERM", async () => {
    const { child, listening } = startProcess(entry, { PORT: "0" });
    await listening;
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
  });

  it("finishes a request in flight on SIGINT, then exits 0", async () => {
    const { child, listening, output } = startProcess(entry, { PORT: "0", KALEYRA_MOCK_LOG: "silent" });
    const { hostname, port } = new URL(await listening);
    const payload = JSON.stringify(validBody());
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const call = request(
        {
          hostname,
          port,
          method: "POST",
          path: messagesPath(sid, businessNumber),
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "api-key": apiKey },
        },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      call.on("error", reject);
      // Half the body now, the rest after the signal: the request is in flight when it arrives.
      call.write(payload.slice(0, 20));
      setTimeout(() => {
        child.kill("SIGINT");
        setTimeout(() => call.end(payload.slice(20)), 300);
      }, 300);
    });
    const result = await answered;
    expect(result.status).toBe(202);
    expect(JSON.parse(result.body).code).toBe("WA202");
    expect(await exited(child)).toBe(0);
    expect(output()).toMatch(/SIGINT: finishing in-flight requests/);
  });

  it("refuses a bad PORT with a clear message and exit code 2", async () => {
    const { child, listening, output } = startProcess(entry, { PORT: "not-a-port" });
    await expect(listening).rejects.toThrow();
    expect(await exited(child)).toBe(2);
    expect(output()).toMatch(/PORT must be a whole number from 0 to 65535/);
  });

  it("a port in use: one line naming the port and how to pick another, exit 2, no stack trace", async () => {
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      for (const command of [entry, [process.execPath, "dist/src/cli/bin.js", "mock"]] as const) {
        const { child, listening, output } = startProcess(command, { PORT: String(port), KALEYRA_MOCK_LOG: "silent" });
        await expect(listening).rejects.toThrow();
        expect(await exited(child)).toBe(2);
        expect(output()).toBe(`kaleyra mock: port ${port} on 127.0.0.1 is in use; start the mock with another PORT (PORT=0 picks a free one) or HOST\n`);
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it("prints the account checks without printing the key", async () => {
    const { child, listening, output } = startProcess(entry, {
      PORT: "0",
      KALEYRA_MOCK_API_KEY: apiKey,
      KALEYRA_MOCK_SID: sid,
      KALEYRA_MOCK_PHONE_NUMBERS: businessNumber,
    });
    const url = await listening;
    expect(output()).toMatch(/Account checks: api-key; sid HXAP16XXXXXX97IN; business numbers \+918630005920/);
    // Refused requests too: a wrong key, and the account's key where the mock quotes the body.
    const { secretForms } = await import("../src/http/secrets.ts");
    const path = `/v2/${sid}/whatsapp/${businessNumber}/messages`;
    expect(
      (await rawRequest(url, { method: "POST", path, headers: { "api-key": "wrong-key-1", "content-type": "application/json" }, body: "{}" })).status,
    ).toBe(401);
    expect(
      (
        await rawRequest(url, {
          method: "POST",
          path: `${path}?k=${apiKey}`,
          headers: { "api-key": apiKey, "content-type": "application/json" },
          body: JSON.stringify({ messaging_object: { to: apiKey } }),
        })
      ).status,
    ).toBe(400);
    expect((await rawRequest(url, { method: "POST", path: `/v2/${apiKey}`, headers: { "api-key": apiKey }, body: "" })).status).toBe(404);
    // The log is written in chunks: every line is out once the process has exited.
    child.kill("SIGTERM");
    await exited(child);
    expect(
      output()
        .split("\n")
        .filter((line) => line.includes(" → ")),
    ).toHaveLength(3);
    for (const form of secretForms(apiKey)) expect(output()).not.toContain(form);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "loses no line of the log on %s: every request's line in order, the signal's, then the line of the request in flight",
    async (signal) => {
      const { child, listening, output } = startProcess(entry, { PORT: "0" });
      const url = await listening;
      const { hostname, port } = new URL(url);
      const paths = Array.from({ length: 40 }, (_, i) => `/elsewhere/${i}`);
      // One after another, so the log's order is known; the signal follows the last answer at once,
      // while its line is still in the buffer.
      for (const path of paths) expect((await rawRequest(url, { method: "GET", path })).status).toBe(404);
      // A request in flight when the signal comes: the mock has its head (it said 100 Continue), not
      // yet its body. Its line is written after the signal's.
      const payload = JSON.stringify(validBody());
      const inFlight = messagesPath(sid, businessNumber);
      let finish = () => {};
      let headRead = () => {};
      const head = new Promise<void>((resolve) => (headRead = resolve));
      const answered = new Promise<number>((resolve, reject) => {
        const call = request(
          {
            hostname,
            port,
            method: "POST",
            path: inFlight,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "api-key": apiKey, expect: "100-continue" },
          },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          },
        );
        call.on("error", reject);
        call.on("continue", () => headRead());
        call.flushHeaders();
        finish = () => call.end(payload);
      });
      await head;
      child.kill(signal);
      await until(`the ${signal} line`, () => (output().includes(`${signal}: `) ? true : undefined));
      finish();
      expect(await answered).toBe(202);
      expect(await exited(child)).toBe(0);
      const lines = output()
        .split("\n")
        .filter((line) => / → /.test(line) || line.startsWith(`${signal}: `));
      expect(lines.map((line) => line.replace(/ → .*/, ""))).toEqual([
        ...paths.map((path) => `GET ${path}`),
        `${signal}: finishing in-flight requests, then exiting.`,
        `POST ${inFlight}`,
      ]);
    },
  );
});
