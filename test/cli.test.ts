// `kaleyra-video`: in-process for its logic and exit codes, and once as the real bin via npx.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../src/cli/cli.ts";
import { exitCodes } from "../src/cli/output.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { waitMs, within } from "./support/wait.ts";

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
    expect(stderr.trimEnd()).toBe(
      "Not sent: the request breaks the contract.\n  --caption: must NOT have more than 1024 characters; --ref: must NOT have more than 255 characters",
    );
    expect(mock.lines.length).toBe(before);
  });

  it("errors name flags, not the client's options or the contract's fields, and carry no Markdown", async () => {
    const insecure = await run([
      "send",
      "--base-url",
      "http://example.com",
      "--sid",
      sid,
      "--phone-number",
      businessNumber,
      "--to",
      "+919876543210",
      "--video-id",
      "1",
    ]);
    expect(insecure.code).toBe(exitCodes.usage);
    expect(insecure.stderr.trimEnd()).toBe(
      "kaleyra-video: --base-url uses plain http off loopback, which would send the api-key in clear; use https, or set --allow-insecure-http\nRun kaleyra-video send --help for the options.",
    );
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
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      kind: "api",
      status: 401,
      code: "RBC001",
      documented: true,
      reason: "incorrect-sid-or-api-key",
    });
  });

  it("a business number outside the account exits 4 with WA401", async () => {
    const { code, stderr } = await run(["send", ...target().slice(0, 4), "--phone-number", "+14155550100", "--to", "+919876543210", "--video-id", "1"]);
    expect(code).toBe(exitCodes.api);
    expect(stderr).toMatch(/Error WA401/);
  });

  it("a transport failure exits 5", async () => {
    const { code, stderr } = await run([
      "send",
      "--base-url",
      "http://127.0.0.1:9",
      "--sid",
      sid,
      "--phone-number",
      businessNumber,
      "--to",
      "+919876543210",
      "--video-id",
      "1",
    ]);
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
    [
      ["send", "--base-url", "http://10.0.0.1:4010", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"],
      /plain http off loopback/,
    ],
    [
      [
        "send",
        ...["--base-url", "http://127.0.0.1:1", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210"],
        "--video-id",
        "1",
        "--timeout-ms",
        "soon",
      ],
      /--timeout-ms must be a whole number from 1 to 2147483647/,
    ],
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
    const { stdout } = await promisify(execFile)("npx", ["--no-install", "kaleyra-video", "send", ...target(), "--video-id", "1166846181421424"], {
      env: { ...process.env, KALEYRA_API_KEY: apiKey },
    });
    expect(stdout.trim()).toMatch(/^Sent: message id \S+$/);
  }, 90_000); // npx starts npm first: seconds alone, many more on a busy machine

  it("exits with the command's code", async () => {
    const failed = await promisify(execFile)("npx", ["--no-install", "kaleyra-video", "send", ...target(), "--video-id", "1"], {
      env: { ...process.env, KALEYRA_API_KEY: "wrong-key" },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(exitCodes.api);
    expect(failed?.stderr).toMatch(/RBC001/);
  }, 90_000);
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
      const { code, stderr } = await run([
        "send",
        "--base-url",
        `http://127.0.0.1:${port}`,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--to",
        "+919876543210",
        "--video-id",
        "1",
      ]);
      expect(code).toBe(exitCodes.transport);
      expect(stderr).toMatch(/^Error \(redirect\): The server answered 307, redirecting to http:\/\/127\.0\.0\.1:\d+\/steal\. Redirects are never followed/);
      expect(followed).toBe(0);
    } finally {
      await Promise.all([elsewhere, redirecting].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it("--pod takes only the contract's pods: __proto__ and friends are usage errors", async () => {
    for (const pod of ["__proto__", "constructor", "toString", "hasOwnProperty", "us"]) {
      const { code, stderr } = await run([
        "send",
        "--pod",
        pod,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--to",
        "+919876543210",
        "--video-id",
        "1",
        "--dry-run",
      ]);
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
    for (const [bytes, code] of [
      [1_048_576, exitCodes.ok],
      [1_048_577, exitCodes.transport],
    ] as const) {
      const server = await answering(bytes);
      const { code: exit, stderr } = await run([
        "send",
        "--base-url",
        server.url,
        "--sid",
        sid,
        "--phone-number",
        businessNumber,
        "--to",
        "+919876543210",
        "--video-id",
        "1",
      ]);
      await server.close();
      expect(exit, `${bytes} bytes`).toBe(code);
      if (code !== exitCodes.ok) expect(stderr).toMatch(/^Error \(too-large\): The answer is larger than the limit of 1048576 bytes/);
    }
  });

  it("proxy listens on 127.0.0.1:4030 by default (shown with the port held), and takes request bodies of up to 1048576 bytes", async () => {
    const { proxyCommand, defaultProxyPort } = await import("../src/cli/tools/proxy.ts");
    expect(defaultProxyPort).toBe(4030);
    // Hold the port (or find it held): the refusal names the default port and host, and no test
    // depends on 4030 being free, so parallel runs cannot collide on it.
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.once("error", () => resolve()).listen(4030, "127.0.0.1", () => resolve()));
    const refused: string[] = [];
    try {
      expect(
        await within("proxy on a port in use", proxyCommand(["--upstream", mock.url], { env: {}, out: () => {}, err: (text) => refused.push(text) })),
      ).toBe(exitCodes.usage);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(refused).toEqual(["proxy: port 4030 on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\nRun kaleyra-video proxy --help."]);

    const err: string[] = [];
    const running = proxyCommand(["--upstream", mock.url, "--port", "0"], { env: {}, out: () => {}, err: (text) => err.push(text) });
    await expect.poll(() => err[0], { timeout: waitMs }).toMatch(/^Proxy on http:\/\/127\.0\.0\.1:\d+ → /);
    const url = /Proxy on (http:\S+) → /.exec(err[0]!)![1]!;
    expect(err[0]).toBe(`Proxy on ${url} → ${mock.url}. Ctrl-C for the drift summary.`);
    const { rawRequest } = await import("./support/raw.ts");
    const path = `/v2/${sid}/whatsapp/${businessNumber}/messages`;
    const at = await rawRequest(url, { method: "POST", path, headers: { "api-key": apiKey, "content-type": "application/json" }, body: "x".repeat(1_048_576) });
    const past = await rawRequest(url, {
      method: "POST",
      path,
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: "x".repeat(1_048_577),
    });
    process.emit("SIGINT");
    // The mock refuses the body that is not JSON, as the contract says it must: nothing drifted.
    expect(await running).toBe(0);
    expect([at.status, past.status]).toEqual([400, 413]);
  });
});

describe("the command line's dispatch, in-process", () => {
  const notFound = () => Promise.reject(Object.assign(new Error("Cannot find module"), { code: "ERR_MODULE_NOT_FOUND" }));

  it("with no command prints the help and exits 2; help, --help and -h print it and exit 0", async () => {
    const none = await run([]);
    expect(none.code).toBe(exitCodes.usage);
    expect(none.stdout).toMatch(/^Usage: kaleyra-video <command> \[options\]\n/);
    for (const word of ["help", "--help", "-h"]) {
      const asked = await run([word]);
      expect([asked.code, asked.stdout, asked.stderr], word).toEqual([exitCodes.ok, none.stdout, ""]);
    }
  });

  it("mock takes no arguments (its help aside), and says so in two lines", async () => {
    for (const args of [
      ["mock", "--port", "1"],
      ["mock", "extra"],
    ]) {
      const { code, stdout, stderr } = await run(args);
      expect([code, stdout, stderr]).toEqual([
        exitCodes.usage,
        "",
        "kaleyra-video: mock takes no arguments; see kaleyra-video mock --help\nRun kaleyra-video --help.",
      ]);
    }
    expect((await run(["mock", "-h"])).stdout).toMatch(/^Usage: kaleyra-video mock\n/);
  });

  it("an unknown flag is a usage error naming it; send's points at send --help, the others at --help", async () => {
    const sent = await run(["send", "--colour"]);
    expect([sent.code, sent.stderr]).toEqual([
      exitCodes.usage,
      expect.stringMatching(/^kaleyra-video: Unknown option '--colour'.*\nRun kaleyra-video send --help for the options\.$/s),
    ]);
    const other = await run(["frobnicate"]);
    expect([other.code, other.stderr]).toEqual([exitCodes.usage, 'kaleyra-video: unknown command "frobnicate"\nRun kaleyra-video --help.']);
  });

  it("a tool missing beside the CLI is loaded from the tools package's export of its name; missing there too, two lines and exit 1", async () => {
    const { loadTool, tools, toolsPackage } = await import("../src/cli/cli.ts");
    for (const name of Object.keys(tools) as (keyof typeof tools)[]) {
      const asked: string[] = [];
      const fromPackage = { runMock: "package", proxyCommand: "package", conform: "package" };
      const found = await loadTool(name, { env: {}, out: () => {}, err: () => {} }, { ...tools[name], beside: notFound }, async (specifier) => {
        asked.push(specifier);
        return fromPackage;
      });
      expect(found).toBe(fromPackage);
      expect(asked).toEqual([`${toolsPackage}/${name}`]);
      const err: string[] = [];
      expect(await loadTool(name, { env: {}, out: () => {}, err: (text) => err.push(text) }, { ...tools[name], beside: notFound }, notFound)).toBeUndefined();
      expect(err).toEqual([
        `kaleyra-video: ${tools[name].what} comes with the tools package.\nInstall it beside this one: npm install --save-dev kaleyra-whatsapp-video-tools`,
      ]);
    }
    expect(Object.fromEntries(Object.entries(tools).map(([name, tool]) => [name, tool.what]))).toEqual({
      mock: "the mock",
      proxy: "the proxy",
      conform: "conform",
    });
  });

  it("each command reaches its own tool; a tool missing everywhere exits 1; a failure that is not a missing module is not hidden", async () => {
    const { cli: dispatch, tools } = await import("../src/cli/cli.ts");
    const seen: string[] = [];
    const io = { env: {}, out: () => {}, err: (text: string) => seen.push(text) };
    const fake = {
      mock: { what: "the mock", beside: async () => ({ runMock: async () => void seen.push("mock ran") }) },
      proxy: {
        what: "the proxy",
        beside: async () => ({
          proxyCommand: async (argv: string[]) => {
            seen.push(`proxy ${argv.join(" ")}`);
            return 7;
          },
        }),
      },
      conform: {
        what: "conform",
        beside: async () => ({
          conform: async (argv: string[]) => {
            seen.push(`conform ${argv.join(" ")}`);
            return 9;
          },
        }),
      },
    };
    expect(await dispatch(["mock"], io, fake)).toBe(exitCodes.ok);
    expect(await dispatch(["proxy", "--port", "0"], io, fake)).toBe(7);
    expect(await dispatch(["conform", "--runs", "1"], io, fake)).toBe(9);
    expect(seen).toEqual(["mock ran", "proxy --port 0", "conform --runs 1"]);
    for (const name of Object.keys(tools) as (keyof typeof tools)[]) {
      const gone = { ...fake, [name]: { what: tools[name].what, beside: notFound } };
      const err: string[] = [];
      // The tools package is not installed in this clone: its import is not found either.
      expect(await dispatch([name], { env: {}, out: () => {}, err: (text) => err.push(text) }, gone), name).toBe(exitCodes.unexpected);
      expect(err, name).toEqual([
        `kaleyra-video: ${tools[name].what} comes with the tools package.\nInstall it beside this one: npm install --save-dev kaleyra-whatsapp-video-tools`,
      ]);
    }
    const broken = { ...fake, conform: { what: "conform", beside: () => Promise.reject(new TypeError("boom")) } };
    await expect(dispatch(["conform"], io, broken)).rejects.toThrow(new TypeError("boom"));
    const failing = { ...fake, proxy: { what: "the proxy", beside: async () => ({ proxyCommand: () => Promise.reject(new RangeError("inside")) }) } };
    await expect(dispatch(["proxy"], io, failing)).rejects.toThrow(new RangeError("inside"));
    const { loadTool } = await import("../src/cli/cli.ts");
    await expect(loadTool("mock", io, { what: "the mock", beside: notFound }, () => Promise.reject(new SyntaxError("bad package")))).rejects.toThrow(
      new SyntaxError("bad package"),
    );
  });
});

describe("kaleyra-video send, every flag through the command", () => {
  const podArgs = ["send", "--pod", "eu", "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1", "--dry-run"];
  const podUrl = `https://api.eu.kaleyra.io/v2/${sid}/whatsapp/${businessNumber}/messages`;
  const headers = ["api-key: ***", "accept: application/json", "user-agent: kaleyra-video-cli", "content-type: application/json"];
  const messaging = { messaging_product: "whatsapp", recipient_type: "individual", to: "+919876543210", type: "video", video: { id: "1" } };

  it("--dry-run prints the request it would send to the pod, extra_info only from the ref flags given, and needs no key", async () => {
    const { code, stdout, stderr } = await run([...podArgs, "--ref1", "a", "--wa-source", "b"], {});
    expect([code, stderr]).toEqual([exitCodes.ok, ""]);
    expect(stdout).toBe(
      `Dry run: nothing sent.\nPOST ${podUrl}\n${headers.join("\n")}\n\n${JSON.stringify({ messaging_object: messaging, extra_info: { ref1: "a", wa_source: "b" } }, null, 2)}`,
    );
    const json = await run([...podArgs, "--json"], {});
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      dryRun: true,
      request: { method: "POST", url: podUrl, headers: Object.fromEntries(headers.map((line) => line.split(": "))), body: { messaging_object: messaging } },
    });
    const all = await run([...podArgs, "--json", "--ref", "r", "--ref1", "r1", "--ref2", "r2", "--wa-source", "w"]);
    expect(JSON.parse(all.stdout).request.body.extra_info).toEqual({ ref: "r", ref1: "r1", ref2: "r2", wa_source: "w" });
  });

  it("--allow-insecure-http lets plain http off loopback through", async () => {
    const args = [
      "send",
      "--base-url",
      "http://10.0.0.1:4010",
      "--sid",
      sid,
      "--phone-number",
      businessNumber,
      "--to",
      "+919876543210",
      "--video-id",
      "1",
      "--dry-run",
      "--json",
    ];
    expect((await run(args)).code).toBe(exitCodes.usage);
    const allowed = await run([...args, "--allow-insecure-http"]);
    expect([allowed.code, JSON.parse(allowed.stdout).request.url]).toEqual([
      exitCodes.ok,
      `http://10.0.0.1:4010/v2/${sid}/whatsapp/${businessNumber}/messages`,
    ]);
  });

  it.each([
    [["--sid", ""], "--sid is required"],
    [["--phone-number", ""], "--phone-number is required"],
    [["--to", ""], "--to is required"],
    [["extra"], "Unexpected argument 'extra'. This command does not take positional arguments"],
    [["--max-response-bytes", "1.5"], "--max-response-bytes must be a whole number from 1 to 1073741824"],
    [["--max-response-bytes", "x1"], "--max-response-bytes must be a whole number from 1 to 1073741824"],
    [["--max-response-bytes", "1x"], "--max-response-bytes must be a whole number from 1 to 1073741824"],
    [["--timeout-ms", "0"], "--timeout-ms must be a whole number from 1 to 2147483647"],
  ])("%j is refused in two lines, exit 2", async (flags, message) => {
    const { code, stdout, stderr } = await run([...podArgs, ...flags]);
    expect([code, stdout, stderr]).toEqual([exitCodes.usage, "", `kaleyra-video: ${message}\nRun kaleyra-video send --help for the options.`]);
  });

  it("--phone-number and --to missing altogether are named too; the key is trimmed, and a blank or broken one refused", async () => {
    const without = (flag: string) => podArgs.filter((arg, at) => arg !== flag && podArgs[at - 1] !== flag);
    expect((await run(without("--phone-number"))).stderr).toBe("kaleyra-video: --phone-number is required\nRun kaleyra-video send --help for the options.");
    expect((await run(without("--to"))).stderr).toBe("kaleyra-video: --to is required\nRun kaleyra-video send --help for the options.");
    const live = podArgs.filter((arg) => arg !== "--dry-run");
    expect((await run(live, { KALEYRA_API_KEY: " \t " })).stderr).toBe(
      "kaleyra-video: set KALEYRA_API_KEY to the account's API key (it is never taken as a flag)\nRun kaleyra-video send --help for the options.",
    );
    expect((await run(live, { KALEYRA_API_KEY: "a\nb" })).stderr).toBe(
      "kaleyra-video: KALEYRA_API_KEY must not contain a line break (CR or LF)\nRun kaleyra-video send --help for the options.",
    );
    const sent = await run(["send", ...target(), "--video-id", "1", "--json"], { KALEYRA_API_KEY: `  ${apiKey}\t` });
    expect([sent.code, JSON.parse(sent.stdout).ok]).toEqual([exitCodes.ok, true]);
  });
});

describe("what counts as a usage error, for every command", () => {
  it("ours and parseArgs' are; any other error, or a thing that only looks like one, is not", async () => {
    const { isUsageError, UsageError } = await import("../src/cli/output.ts");
    const { parseArgs } = await import("node:util");
    let parsed: unknown;
    try {
      parseArgs({ args: ["--nope"], options: {}, strict: true });
    } catch (error) {
      parsed = error;
    }
    const cases: [unknown, boolean][] = [
      [new UsageError("x"), true],
      [parsed, true],
      [Object.assign(new TypeError("x"), { code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" }), true],
      [Object.assign(new Error("x"), { code: "ENOENT" }), false],
      [Object.assign(new Error("x"), { code: "X_ERR_PARSE_ARGS" }), false],
      [{ code: "ERR_PARSE_ARGS_UNKNOWN_OPTION", message: "not an Error" }, false],
      [new Error("x"), false],
      [null, false],
      [undefined, false],
    ];
    expect(cases.map(([error]) => isUsageError(error))).toEqual(cases.map(([, usage]) => usage));
  });
});
