// `kaleyra-video`: in-process for its logic and exit codes, and once as the real bin via npx.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../src/cli/cli.ts";
import { exitCodes } from "../src/cli/output.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";

let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
});
afterAll(async () => {
  await mock.close();
});

async function run(args: string[], env: Record<string, string> = { KALEYRA_API_KEY: apiKey }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(args, { env, out: (text) => out.push(text), err: (text) => err.push(text) });
  const stdout = out.join("\n");
  const stderr = err.join("\n");
  // Whatever happens, the key is printed nowhere.
  expect(stdout + stderr).not.toContain(apiKey);
  return { code, stdout, stderr };
}

const target = () => ["--base-url", mock.url, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210"];

describe("kaleyra-video send", () => {
  it("prints the message id of a sent video", async () => {
    const { code, stdout } = await run(["send", ...target(), "--video-id", "1166846181421424", "--caption", "Hello"]);
    expect(code).toBe(exitCodes.ok);
    expect(stdout).toMatch(/^Sent: message id \S+$/);
  });

  it("--json prints the envelope for scripts", async () => {
    const { code, stdout } = await run(["send", ...target(), "--video-link", "https://example.org/v.mp4", "--ref", "order-42", "--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({ ok: true, messageId: expect.any(String), envelope: { code: "WA202" } });
    expect(mock.lines.at(-1)).toMatch(/202 WA202/);
  });

  it("an invalid request is not sent, exits 3, and names each field", async () => {
    const before = mock.lines.length;
    const { code, stderr } = await run(["send", ...target(), "--video-id", "1", "--caption", "x".repeat(1025), "--ref", "r".repeat(256)]);
    expect(code).toBe(exitCodes.validation);
    // Two lines, naming the flags the user typed (not the fields they became).
    expect(stderr.trimEnd()).toBe("Not sent: the request breaks the contract.\n  --caption: must NOT have more than 1024 characters; --ref: must NOT have more than 255 characters");
    expect(mock.lines.length).toBe(before);
  });

  it("errors name flags, not the client's options or the contract's fields, and carry no Markdown", async () => {
    const insecure = await run(["send", "--base-url", "http://example.com", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"]);
    expect(insecure.code).toBe(exitCodes.usage);
    expect(insecure.stderr.trimEnd()).toBe("kaleyra-video: --base-url uses plain http off loopback, which would send the api-key in clear; use https, or set --allow-insecure-http\nRun kaleyra-video send --help for the options.");
    const number = await run(["send", ...target(), "--video-link", "not a link", "--phone-number", "918630005920"]);
    expect(number.code).toBe(exitCodes.validation);
    const lines = number.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}--phone-number: does not have the required form — A phone number in E\.164 form: \+, the country code/);
    expect(lines[1]).toMatch(/; --video-link: does not have the required form — A public HTTP\(S\) URL/);
    expect(number.stderr).not.toMatch(/`|\*\*|phoneNumber|messaging_object/);
  });

  it("an API error exits 4 with its code; --json gives it as data", async () => {
    const env = { KALEYRA_API_KEY: "wrong-key" };
    const text = await run(["send", ...target(), "--video-id", "1"], env);
    expect(text.code).toBe(exitCodes.api);
    expect(text.stderr).toMatch(/^Error RBC001 \(HTTP 401\): Incorrect SID or API key\./);
    const json = await run(["send", ...target(), "--video-id", "1", "--json"], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, kind: "api", status: 401, code: "RBC001", documented: true, reason: "incorrect-sid-or-api-key" });
  });

  it("a business number outside the account exits 4 with WA401", async () => {
    const { code, stderr } = await run(["send", ...target().slice(0, 4), "--phone-number", "+14155550100", "--to", "+919876543210", "--video-id", "1"]);
    expect(code).toBe(exitCodes.api);
    expect(stderr).toMatch(/Error WA401/);
  });

  it("a transport failure exits 5", async () => {
    const { code, stderr } = await run(["send", "--base-url", "http://127.0.0.1:9", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"]);
    expect(code).toBe(exitCodes.transport);
    expect(stderr).toMatch(/Error \(network\)/);
  });

  it("--dry-run prints the request with the key masked and sends nothing", async () => {
    const before = mock.lines.length;
    const { code, stdout } = await run(["send", ...target(), "--video-id", "1", "--dry-run"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Dry run: nothing sent/);
    expect(stdout).toContain("api-key: ***");
    expect(stdout).toContain(`POST ${mock.url}/v2/${sid}/whatsapp/${businessNumber}/messages`);
    expect(mock.lines.length).toBe(before);
  });

  it.each([
    [["send", "--sid", sid], /exactly one of --pod or --base-url/],
    [["send", "--pod", "us", "--sid", sid, "--video-id", "1"], /--pod must be one of in, sg, eu, na/],
    [["send", "--pod", "in", "--base-url", "http://127.0.0.1:1", "--video-id", "1"], /exactly one of --pod or --base-url/],
    [["send", "--pod", "in", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210"], /exactly one of --video-id or --video-link/],
    [["send", "--pod", "in", "--sid", sid, "--video-id", "1", "--video-link", "https://x.y/v.mp4"], /exactly one of --video-id or --video-link/],
    [["send", "--pod", "in", "--video-id", "1"], /--sid is required/],
    [["send", "--api-key", "x"], /Unknown option '--api-key'/],
    [["send", "--base-url", "http://10.0.0.1:4010", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"], /plain http off loopback/],
    [["send", ...["--base-url", "http://127.0.0.1:1", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210"], "--video-id", "1", "--timeout-ms", "soon"], /--timeout-ms must be a whole number from 1 to 2147483647/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("usage errors exit 2: %j", async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(exitCodes.usage);
    expect(stderr).toMatch(message);
  });

  it("takes the key only from KALEYRA_API_KEY", async () => {
    const { code, stderr } = await run(["send", ...target(), "--video-id", "1"], {});
    expect(code).toBe(exitCodes.usage);
    expect(stderr).toMatch(/set KALEYRA_API_KEY/);
  });
});

describe("help", () => {
  it.each([[["--help"]], [["send", "--help"]], [["mock", "--help"]]])("%j says what it does, with an example", async (args) => {
    const { code, stdout } = await run(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: kaleyra-video/);
    expect(stdout).toMatch(/Example/);
  });

  it("send --help lists the pods from the contract", async () => {
    const { stdout } = await run(["send", "--help"]);
    expect(stdout).toContain("in (api.in.kaleyra.io), sg (api.kaleyra.io), eu (api.eu.kaleyra.io), na (api.na.kaleyra.ai)");
  });
});

describe("the kaleyra-video bin", () => {
  it("runs with npx from the repo and prints a message id from the mock", async () => {
    const { stdout } = await promisify(execFile)(
      "npx",
      ["--no-install", "kaleyra-video", "send", ...target(), "--video-id", "1166846181421424"],
      { env: { ...process.env, KALEYRA_API_KEY: apiKey } },
    );
    expect(stdout.trim()).toMatch(/^Sent: message id \S+$/);
  });

  it("exits with the command's code", async () => {
    const failed = await promisify(execFile)("npx", ["--no-install", "kaleyra-video", "send", ...target(), "--video-id", "1"], {
      env: { ...process.env, KALEYRA_API_KEY: "wrong-key" },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(exitCodes.api);
    expect(failed?.stderr).toMatch(/RBC001/);
  });
});

describe("kaleyra-video send with a real key is safe", () => {
  it("a key a header cannot carry is a usage error that names the variable, not the key", async () => {
    for (const key of ["abcd\r\nX-Injected: 1", "abcd\nefgh", "ab\u0000cdefg", "abcd efgh", "clé-secrète", "abc"]) {
      const { code, stderr, stdout } = await run(["send", ...target(), "--video-id", "1"], { KALEYRA_API_KEY: key });
      expect(code, JSON.stringify(key)).toBe(exitCodes.usage);
      expect(stderr).toMatch(/^kaleyra-video: KALEYRA_API_KEY must /);
      expect(stderr.split("\n")).toHaveLength(2);
      expect(stdout + stderr).not.toContain(key.slice(0, 4));
    }
  });

  it("a redirect is a transport error (exit 5) and nothing follows it", async () => {
    const { createServer } = await import("node:http");
    let followed = 0;
    const elsewhere = createServer((_request, response) => {
      followed++;
      response.end();
    });
    const redirecting = createServer((request, response) => {
      request.resume();
      const { port } = elsewhere.address() as { port: number };
      response.writeHead(307, { location: `http://127.0.0.1:${port}/steal` }).end();
    });
    await Promise.all([elsewhere, redirecting].map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
    try {
      const { port } = redirecting.address() as { port: number };
      const { code, stderr } = await run(["send", "--base-url", `http://127.0.0.1:${port}`, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"]);
      expect(code).toBe(exitCodes.transport);
      expect(stderr).toMatch(/^Error \(redirect\): The server answered 307, redirecting to http:\/\/127\.0\.0\.1:\d+\/steal\. Redirects are never followed/);
      expect(followed).toBe(0);
    } finally {
      await Promise.all([elsewhere, redirecting].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it("--pod takes only the contract's pods: __proto__ and friends are usage errors", async () => {
    for (const pod of ["__proto__", "constructor", "toString", "hasOwnProperty", "us"]) {
      const { code, stderr } = await run(["send", "--pod", pod, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1", "--dry-run"]);
      expect(code, pod).toBe(exitCodes.usage);
      expect(stderr).toMatch(/^kaleyra-video: --pod must be one of in, sg, eu, na/);
    }
  });

  it("--timeout-ms and --max-response-bytes are checked at their limits", async () => {
    const dry = ["send", ...target(), "--video-id", "1", "--dry-run"];
    expect((await run([...dry, "--timeout-ms", String(2 ** 31 - 1)])).code).toBe(exitCodes.ok);
    expect((await run([...dry, "--timeout-ms", String(2 ** 31)])).code).toBe(exitCodes.usage);
    expect((await run([...dry, "--timeout-ms", "1"])).code).toBe(exitCodes.ok);
    expect((await run([...dry, "--timeout-ms", "0"])).code).toBe(exitCodes.usage);
    expect((await run([...dry, "--timeout-ms", "1e3"])).code).toBe(exitCodes.usage);
    expect((await run([...dry, "--max-response-bytes", String(2 ** 30)])).code).toBe(exitCodes.ok);
    expect((await run([...dry, "--max-response-bytes", String(2 ** 30 + 1)])).code).toBe(exitCodes.usage);
    expect((await run([...dry, "--max-response-bytes", "0"])).code).toBe(exitCodes.usage);
  });

  it("--max-response-bytes reaches the client: an answer past it is a too-large transport error", async () => {
    const { code, stderr } = await run(["send", ...target(), "--video-id", "1", "--max-response-bytes", "50"]);
    expect(code).toBe(exitCodes.transport);
    expect(stderr).toMatch(/^Error \(too-large\): The answer is larger than the limit of 50 bytes/);
  });
});

// Each default the help states, through the command itself (a default inverted or moved in the
// CLI is not caught by tests of the library underneath).
describe("the commands' defaults, as their help states them", () => {
  async function answering(bytes: number) {
    const { createServer } = await import("node:http");
    const envelope = (pad: string) => JSON.stringify({ code: "WA202", message: pad, data: { message_id: "M1" }, error: {} });
    const body = envelope("x".repeat(bytes - envelope("").length));
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => response.writeHead(202, { "content-type": "application/json" }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { url, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("send reads an answer of up to 1048576 bytes by default, and no more", async () => {
    for (const [bytes, code] of [[1_048_576, exitCodes.ok], [1_048_577, exitCodes.transport]] as const) {
      const server = await answering(bytes);
      const { code: exit, stderr } = await run(["send", "--base-url", server.url, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"]);
      await server.close();
      expect(exit, `${bytes} bytes`).toBe(code);
      if (code !== exitCodes.ok) expect(stderr).toMatch(/^Error \(too-large\): The answer is larger than the limit of 1048576 bytes/);
    }
  });

  it("proxy listens on 127.0.0.1:4030 by default (shown with the port held), and takes request bodies of up to 1048576 bytes", async () => {
    const { proxyCommand, defaultProxyPort } = await import("../src/proxy/cli.ts");
    expect(defaultProxyPort).toBe(4030);
    // Hold the port (or find it held): the refusal names the default port and host, and no test
    // depends on 4030 being free, so parallel runs cannot collide on it.
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.once("error", () => resolve()).listen(4030, "127.0.0.1", () => resolve()));
    const refused: string[] = [];
    try {
      expect(await proxyCommand(["--upstream", mock.url], { env: {}, out: () => {}, err: (text) => refused.push(text) })).toBe(exitCodes.usage);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(refused).toEqual(["proxy: port 4030 on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\nRun kaleyra-video proxy --help."]);

    const err: string[] = [];
    const running = proxyCommand(["--upstream", mock.url, "--port", "0"], { env: {}, out: () => {}, err: (text) => err.push(text) });
    await expect.poll(() => err[0], { timeout: 5_000 }).toMatch(/^Proxy on http:\/\/127\.0\.0\.1:\d+ → /);
    const url = /Proxy on (http:\S+) → /.exec(err[0]!)![1]!;
    expect(err[0]).toBe(`Proxy on ${url} → ${mock.url}. Ctrl-C for the drift summary.`);
    const { rawRequest } = await import("./support/raw.ts");
    const path = `/v2/${sid}/whatsapp/${businessNumber}/messages`;
    const at = await rawRequest(url, { method: "POST", path, headers: { "api-key": apiKey, "content-type": "application/json" }, body: "x".repeat(1_048_576) });
    const past = await rawRequest(url, { method: "POST", path, headers: { "api-key": apiKey, "content-type": "application/json" }, body: "x".repeat(1_048_577) });
    process.emit("SIGINT");
    // The mock refuses the body that is not JSON, as the contract says it must: nothing drifted.
    expect(await running).toBe(0);
    expect([at.status, past.status]).toEqual([400, 413]);
  });
});
