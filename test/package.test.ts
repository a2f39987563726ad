// The packages as a new user gets them: `npm run pack` assembles and packs the kit and the tools;
// each is installed into an empty folder outside the repo: the kit alone, used from a strict
// TypeScript project, its bin run, its spec loaded from the export path; the kit with the tools,
// whose mock, conformance, proxy and callback checker run from node_modules. The packages'
// manifests in packages/ agree with the root package.json, and a drift between them is found.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  installedVersion,
  kitFiles,
  kitFolders,
  manifestDrift,
  manifests,
  rewriteImports,
  toolsDependencies,
  toolsEntry,
  toolsFolders,
  toolsName,
} from "../src/tools/pack.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { installProject, packPackages, run, type PackedPackage } from "./support/packages.ts";
import { apiKey, businessNumber, requestExamples, sid } from "./support/requests.ts";
import { fetchWithin, waitMs, within } from "./support/wait.ts";

const repo = process.cwd();
const name = JSON.parse(readFileSync("package.json", "utf8")).name as string;
let consumer: string;
let withTools: string;
let packed: PackedPackage;
let packedTools: PackedPackage;
let installOutput: string;
let mock: TestMock;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), "kit-package-"));
  // The build is npm test's; the packages are assembled from it and packed as npm pack does.
  ({ kit: packed, tools: packedTools } = await packPackages(work));
  consumer = join(work, "consumer");
  installOutput = await installProject(consumer, [packed.tarball]);
  withTools = join(work, "with-tools");
  installOutput += await installProject(withTools, [packed.tarball, packedTools.tarball]);
  mock = await startTestMock();
}, 180_000);

afterAll(async () => {
  await mock?.close();
});

describe("the packed tarball", () => {
  it("holds the built client, CLI and spec, and no tests, sources, caches or secrets", () => {
    const paths = packed.files;
    expect(paths).toEqual(
      expect.arrayContaining([
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/cli/bin.js",
        "openapi/kaleyra-whatsapp-video.yaml",
        "generated/kaleyra-whatsapp-video.json",
        "README.md",
        "package.json",
      ]),
    );
    for (const path of paths) {
      expect(path).not.toMatch(/(^|\/)(test|tests|conformance|bench|node_modules|build|\.ci)\//);
      expect(path).not.toMatch(/\.test\.|\.tsbuildinfo$|\.env|\.tgz$|^src\/|^dist\/src\/(mock|tools|judge|proxy|cli\/tools)\//);
    }
  });

  it("depends at run time on openapi-fetch and the validator only, and runs nothing on install", () => {
    const installed = JSON.parse(readFileSync(join(consumer, "node_modules", name, "package.json"), "utf8"));
    // packages/kit/package.json, with the root's version; `files` stays behind.
    const { files: _files, ...manifest } = manifests.kit;
    expect(installed).toEqual({ ...manifest, version: manifests.root.version });
    expect(Object.keys(installed.dependencies).sort()).toEqual(["ajv", "ajv-formats", "openapi-fetch"]);
    expect(installed.scripts).toBeUndefined();
    expect(installed.devDependencies).toBeUndefined();
    expect(installOutput).not.toMatch(/kaleyra-whatsapp-video/i);
  });

  it("the tools: the mock, proxy and conformance, importing the kit by name, with Prism and fast-check", () => {
    const paths = packedTools.files;
    expect(paths).toEqual(
      expect.arrayContaining([
        "dist/src/mock/run.js",
        "dist/src/cli/tools/proxy.js",
        "dist/src/cli/tools/conform.js",
        "dist/src/judge/report.js",
        "bin.js",
        "package.json",
      ]),
    );
    // One copy of the kit's code: none of its folders is in the tools.
    // (src/cli/tools/ holds the tools' own commands, inside the CLI's folder.)
    expect(paths.filter((path) => /^dist\/src\/(client|contract|http|callbacks|cli\/(?!tools\/))/.test(path))).toEqual([]);
    const installed = JSON.parse(readFileSync(join(withTools, "node_modules", toolsName, "package.json"), "utf8"));
    expect(Object.keys(installed.dependencies).sort()).toEqual([name, ...toolsDependencies].sort());
    // packages/tools/package.json, with the root's version, for the tools and for the kit they need.
    const { files: _files, ...manifest } = manifests.tools;
    expect(installed).toEqual({ ...manifest, version: manifests.root.version, dependencies: { ...manifest.dependencies, [name]: manifests.root.version } });
    expect(installed.scripts).toBeUndefined();
    const server = readFileSync(join(withTools, "node_modules", toolsName, "dist/src/proxy/server.js"), "utf8");
    expect(server).toContain(`from "${name}/dist/src/http/exchange.js"`);
    expect(server).not.toMatch(/from "\.\.\/http\//);
  });

  it("the tools are typed: startMock from the main entry, the commands kept, a declaration beside each module, every relative import inside the package", () => {
    const paths = packedTools.files;
    const installed = JSON.parse(readFileSync(join(withTools, "node_modules", toolsName, "package.json"), "utf8"));
    expect(installed.exports).toEqual({
      ".": { types: `./${toolsEntry}.d.ts`, default: `./${toolsEntry}.js` },
      "./mock": { types: "./dist/src/mock/run.d.ts", default: "./dist/src/mock/run.js" },
      "./proxy": { types: "./dist/src/cli/tools/proxy.d.ts", default: "./dist/src/cli/tools/proxy.js" },
      "./conform": { types: "./dist/src/cli/tools/conform.d.ts", default: "./dist/src/cli/tools/conform.js" },
      "./package.json": "./package.json",
    });
    const modules = paths.filter((path) => path.startsWith("dist/") && path.endsWith(".js"));
    expect(modules.length).toBeGreaterThan(20);
    expect(modules.map((path) => path.replace(/\.js$/, ".d.ts")).filter((declaration) => !paths.includes(declaration))).toEqual([]);
    // The kit's folders are not in the tools: an import of them left relative would point at nothing.
    const unresolved: string[] = [];
    for (const path of paths.filter((path) => path.endsWith(".js") || path.endsWith(".d.ts"))) {
      const text = readFileSync(join(withTools, "node_modules", toolsName, path), "utf8");
      for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = join(path, "..", specifier!).replace(/\.ts$/, ".d.ts");
        if (!paths.includes(target)) unresolved.push(`${path}: ${specifier}`);
      }
    }
    expect(unresolved).toEqual([]);
    const entry = readFileSync(join(withTools, "node_modules", toolsName, `${toolsEntry}.d.ts`), "utf8");
    expect(entry).toContain(`from "${name}/dist/src/client/mock-admin.js"`);
  });

  it("rewrites every form of import into the kit, and only those", () => {
    const file = join(repo, "dist/src/proxy/server.js");
    const source = `import "../http/listen.js";\nimport { a } from "../http/exchange.js";\nconst m = await import("../mock/run.js");\nexport * from '../contract/document.js';\nimport x from "./cli.js";\nimport y from "../../conformance/checks.js";`;
    expect(rewriteImports(source, file, "kit").split("\n")).toEqual([
      'import "kit/dist/src/http/listen.js";',
      'import { a } from "kit/dist/src/http/exchange.js";',
      'const m = await import("../mock/run.js");',
      "export * from 'kit/dist/src/contract/document.js';",
      'import x from "./cli.js";',
      'import y from "../../conformance/checks.js";',
    ]);
  });

  it("keeps the tools' commands inside the CLI's folder relative, and rewrites their imports of the kit's CLI", () => {
    const file = join(repo, "dist/src/cli/tools/proxy.js");
    const source = `import { UsageError } from "../output.js";\nimport { baseUrlFlag } from "./flags.js";\nimport { summary } from "../../judge/report.js";\nimport { runConformance } from "../../../conformance/runner.js";\nimport { podUrls } from "../../client/pods.js";`;
    expect(rewriteImports(source, file, "kit").split("\n")).toEqual([
      'import { UsageError } from "kit/dist/src/cli/output.js";',
      'import { baseUrlFlag } from "./flags.js";',
      'import { summary } from "../../judge/report.js";',
      'import { runConformance } from "../../../conformance/runner.js";',
      'import { podUrls } from "kit/dist/src/client/pods.js";',
    ]);
  });

  it("rewrites a declaration's imports of the kit's sources to the kit's .js paths (whose .d.ts TypeScript finds), and only those", () => {
    const file = join(repo, "dist/src/mock/index.d.ts");
    const source = `import { type MockAdmin } from "../client/mock-admin.ts";\nexport type { X } from '../../generated/kaleyra-mock-admin.ts';\nlet y: import("../callbacks/sender.ts").CallbackSender;\nimport type { StartMockOptions } from "./config.ts";`;
    expect(rewriteImports(source, file, "kit").split("\n")).toEqual([
      'import { type MockAdmin } from "kit/dist/src/client/mock-admin.js";',
      "export type { X } from 'kit/dist/generated/kaleyra-mock-admin.js';",
      'let y: import("kit/dist/src/callbacks/sender.js").CallbackSender;',
      'import type { StartMockOptions } from "./config.ts";',
    ]);
  });
});

describe("the package manifests in packages/", () => {
  it("say what pack ships: the kit's folders and files, the tools' folders, entry and dependencies", () => {
    expect(toolsName).toBe("kaleyra-whatsapp-video-tools");
    expect(kitFolders).toEqual([
      "dist/src/json",
      "dist/src/client",
      "dist/src/contract",
      "dist/src/http",
      "dist/src/callbacks",
      "dist/src/cli",
      "dist/generated",
    ]);
    expect(kitFiles).toEqual([
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "generated/kaleyra-whatsapp-video.json",
      "generated/kaleyra-mock-admin.json",
      "openapi",
      "README.md",
      "docs",
    ]);
    expect(toolsFolders).toEqual(["dist/src/judge", "dist/src/mock", "dist/src/proxy", "dist/conformance", "dist/src/cli/tools"]);
    expect(toolsEntry).toBe("dist/src/mock/index");
    expect(toolsDependencies).toEqual(["@stoplight/prism-http", "@stoplight/prism-core", "fast-check"]);
  });

  it("agree with the root package.json and with the versions installed", () => {
    expect(manifestDrift(manifests)).toEqual([]);
    expect(toolsDependencies.map((dependency) => manifests.tools.dependencies[dependency])).toEqual(toolsDependencies.map(installedVersion));
  });

  it("a drift planted in a copy is found, each field where it is", () => {
    const drifted = structuredClone(manifests);
    drifted.root.engines = { node: ">=22" };
    drifted.root.dependencies = { ...drifted.root.dependencies, ajv: "8.21.0" };
    drifted.root.files = [...drifted.root.files, "dist/src/judge"];
    delete drifted.kit.exports["./dist/*"];
    drifted.kit.version = "0.2.0";
    drifted.tools.dependencies = { ...drifted.tools.dependencies, [name]: "0.1.0", "fast-check": "4.0.0" };
    drifted.tools.bin = { kaleyra: "bin.js" };
    const kit = "packages/kit/package.json";
    const tools = "packages/tools/package.json";
    expect(manifestDrift(drifted)).toEqual([
      `${kit} engines, as the root package.json's: {"node":">=20.19.0"}, not {"node":">=22"}`,
      `${kit} dependencies, as the root package.json's: {"ajv":"8.20.0","ajv-formats":"3.0.1","openapi-fetch":"0.17.0"}, not {"ajv":"8.21.0","ajv-formats":"3.0.1","openapi-fetch":"0.17.0"}`,
      `${kit} files, as the root package.json's: ${JSON.stringify(manifests.kit.files)}, not ${JSON.stringify([...manifests.root.files, "dist/src/judge"])}`,
      `${kit} exports, as the root package.json's and ./dist/*: ${JSON.stringify(manifests.root.exports)}, not ${JSON.stringify({ ...manifests.root.exports, "./dist/*": "./dist/*" })}`,
      `${tools} engines, as the root package.json's: {"node":">=20.19.0"}, not {"node":">=22"}`,
      `${tools} bin's commands, as the kit's: ["kaleyra"], not ["kaleyra-video"]`,
      `${tools} dependency ${name}: "0.1.0", not "workspace:*"`,
      `${tools} dependency fast-check: "4.0.0", not "${installedVersion("fast-check")}"`,
      `${kit} has version, which only the root package.json has`,
    ]);
    // The check read the copy, not the manifests.
    expect(manifestDrift(manifests)).toEqual([]);
  });

  it("finds a renamed kit, a package that would run a script, and a version other than the one installed", () => {
    const drifted = structuredClone(manifests);
    drifted.root.name = "another-kit";
    drifted.tools.scripts = { postinstall: "node x.js" };
    expect(manifestDrift(drifted)).toEqual([
      `packages/kit/package.json name, as the root package.json's: "${name}", not "another-kit"`,
      "packages/tools/package.json has scripts, which only the root package.json has",
    ]);
    expect(manifestDrift(manifests, () => "1.0.0")).toEqual(
      toolsDependencies.map((dependency) => `packages/tools/package.json dependency ${dependency}: "${manifests.tools.dependencies[dependency]}", not "1.0.0"`),
    );
  });
});

describe("a consumer project", () => {
  it("type-checks under tsc --strict, with types that are real (a misuse is an error)", async () => {
    writeFileSync(
      join(consumer, "index.ts"),
      `import { createKaleyraClient, createMockAdmin, isKaleyraError, parseStatusCallback, type SendVideoInput, type StatusCallback } from "${name}";

const kaleyra = createKaleyraClient({ baseUrl: process.env.MOCK_URL!, sid: "${sid}", apiKey: "${apiKey}" });
const message: SendVideoInput = { phoneNumber: "${businessNumber}", to: "+919876543210", video: { id: "1166846181421424" }, caption: "Hello" };
try {
  const { messageId, envelope } = await kaleyra.sendVideo(message);
  const code: "WA202" = envelope.code;
  const journaled = await createMockAdmin({ baseUrl: process.env.MOCK_URL! }).requests({ to: message.to });
  const callback: StatusCallback = parseStatusCallback({ meta_object: { value: { statuses: [{ id: "wamid.x", status: "sent", timestamp: "1", recipient_id: "919876543210" }] } }, extra_info: { message_id: messageId }, status: "SENT", message_id: messageId });
  console.log(messageId, code, journaled.some((entry) => entry.response.messageId === messageId), callback.status);
} catch (error) {
  if (isKaleyraError(error) && error.kind === "api") console.error(error.code, error.status);
  throw error;
}
// Checked by the compiler, never run.
export function misuses() {
  // @ts-expect-error: a video is an id or a link
  kaleyra.prepareVideo({ ...message, video: { caption: "no id, no link" } });
  // @ts-expect-error: pods are the contract's
  createKaleyraClient({ pod: "us", sid: "x", apiKey: "y" });
  // @ts-expect-error: a pod or a base URL, never both
  createKaleyraClient({ pod: "in", baseUrl: "https://x.example", sid: "x", apiKey: "y" });
  // @ts-expect-error: one of them is needed
  createKaleyraClient({ sid: "x", apiKey: "y" });
  // @ts-expect-error: an id or a link, never both
  kaleyra.prepareVideo({ ...message, video: { id: "1", link: "https://x.example/v.mp4" } });
  // @ts-expect-error: statuses are the contract's
  const status: StatusCallback["status"] = "LOST";
  // @ts-expect-error: faults are the admin contract's
  createMockAdmin({ baseUrl: "http://127.0.0.1:4010" }).addScenario({ match: {}, respond: { fault: "explode" } });
}
`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022"],
          types: ["node"],
          typeRoots: [join(repo, "node_modules/@types")],
          outDir: "out",
          skipLibCheck: false,
        },
        include: ["index.ts"],
      }),
    );
    await run(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: consumer });
    const { stdout } = await run(process.execPath, ["out/index.js"], { cwd: consumer, env: { ...process.env, MOCK_URL: mock.url } });
    expect(stdout.trim()).toMatch(/^\S+ WA202 true SENT$/);
  }, 120_000); // tsc over the package's declarations: some ten seconds alone, several times that on a busy machine

  it("gets the kaleyra-video bin", async () => {
    const bin = join(consumer, "node_modules/.bin/kaleyra-video");
    const help = await run(bin, ["--help"], { cwd: consumer });
    expect(help.stdout).toMatch(/^Usage: kaleyra-video <command>/);
    const sent = await run(bin, ["send", "--base-url", mock.url, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"], {
      cwd: consumer,
      env: { ...process.env, KALEYRA_API_KEY: apiKey },
    });
    expect(sent.stdout.trim()).toMatch(/^Sent: message id \S+$/);
  });

  it("without the tools, says in two lines that mock, conform and proxy come with them", async () => {
    const bin = join(consumer, "node_modules/.bin/kaleyra-video");
    for (const [command, what] of [
      ["mock", "the mock"],
      ["conform", "conform"],
      ["proxy", "the proxy"],
    ] as const) {
      const failed = await run(bin, [command], { cwd: consumer }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe(`kaleyra-video: ${what} comes with the tools package.\nInstall it beside this one: npm install --save-dev ${toolsName}\n`);
    }
  });

  it("loads the spec from the documented export paths", async () => {
    const script = `for (const path of ["${name}/openapi.yaml", "${name}/openapi.json", "${name}/admin-openapi.yaml", "${name}/admin-openapi.json"]) console.log(new URL(import.meta.resolve(path)).pathname);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    const [yamlPath, jsonPath, adminYamlPath, adminJsonPath] = stdout.trim().split("\n") as [string, string, string, string];
    expect(readFileSync(yamlPath, "utf8")).toMatch(/^openapi: 3\.1\.0/);
    expect(JSON.parse(readFileSync(jsonPath, "utf8")).paths).toHaveProperty(["/v2/{sid}/whatsapp/{phone_number}/messages"]);
    expect(readFileSync(adminYamlPath, "utf8")).toMatch(/^openapi: 3\.1\.0/);
    expect(JSON.parse(readFileSync(adminJsonPath, "utf8")).paths).toHaveProperty(["/__admin/requests"]);
    expect(existsSync(resolve(consumer, "node_modules", name, "dist/src/index.js"))).toBe(true);
  });
});

describe("with the tools installed", () => {
  const bin = () => join(withTools, "node_modules/.bin/kaleyra-video");

  it("npx kaleyra-video mock serves the contract; conform passes against it; the proxy records through it", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(bin(), ["mock"], {
      cwd: withTools,
      env: {
        ...process.env,
        PORT: "0",
        KALEYRA_MOCK_LOG: "silent",
        KALEYRA_MOCK_API_KEY: apiKey,
        KALEYRA_MOCK_SID: sid,
        KALEYRA_MOCK_PHONE_NUMBERS: businessNumber,
      },
    });
    let banner = "";
    child.stdout.on("data", (chunk: Buffer) => (banner += chunk.toString()));
    try {
      await expect.poll(() => /listening on (http:\S+)/.exec(banner)?.[1], { timeout: waitMs }).toBeDefined();
      const url = /listening on (http:\S+)/.exec(banner)![1]!;
      const conformed = await run(bin(), ["conform", "--target", url, "--sid", sid, "--phone-number", businessNumber, "--runs", "20"], {
        cwd: withTools,
        env: { ...process.env, KALEYRA_API_KEY: apiKey },
      });
      expect(conformed.stdout).toMatch(/^PASS: every answer is what the contract says\.$/m);
      const record = join(withTools, "traffic.ndjson");
      const proxy = spawn(bin(), ["proxy", "--upstream", url, "--port", "0", "--record", record], {
        cwd: withTools,
        env: { ...process.env, KALEYRA_API_KEY: apiKey },
      });
      let said = "";
      let out = "";
      proxy.stderr.on("data", (chunk: Buffer) => (said += chunk.toString()));
      proxy.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      await expect.poll(() => /Proxy on (http:\S+)/.exec(said)?.[1], { timeout: waitMs }).toBeDefined();
      const through = /Proxy on (http:\S+)/.exec(said)![1]!;
      const answer = await fetchWithin(`${through}/v2/${sid}/whatsapp/${businessNumber}/messages`, {
        method: "POST",
        headers: { "api-key": apiKey, "content-type": "application/json" },
        body: "{}",
      });
      expect(answer.status).toBe(400);
      const exited = new Promise<number | null>((resolve) => proxy.on("exit", resolve));
      proxy.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(out).toMatch(/^Drift:\n {2}every check passed on every exchange$/m);
      expect(readFileSync(record, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("npx kaleyra-video callbacks listens and sums up", async () => {
    const { stdout } = await run(bin(), ["callbacks", "--port", "0", "--for-ms", "200"], { cwd: withTools });
    expect(stdout.trim()).toBe("0 callback(s) for 0 message(s): no violation.");
  });

  it("startMock, typed under tsc --strict: a script starts a mock, sends the vendor's example, reads the journal, closes, and exits by itself at once", async () => {
    const vendorSid = "HAXP2142XX";
    const example = requestExamples()["with-extra-info"]!.value;
    writeFileSync(
      join(withTools, "mock.ts"),
      `import { connect } from "node:net";
import { createKaleyraClient, isKaleyraError, type JournalEntry } from "${name}";
import { startMock, type RunningMock, type StartMockOptions } from "${toolsName}";

const apiKey = "${apiKey}";
const path = "/v2/${vendorSid}/whatsapp/${businessNumber}/messages";
const lines: string[] = [];
const options: StartMockOptions = {
  account: { apiKey, sid: "${vendorSid}", phoneNumbers: ["${businessNumber}"] },
  latencyMs: { min: 0, max: 2 },
  // The second status waits a minute: a timer that close() must end.
  callbacks: { url: process.env.RECEIVER_URL!, delaysMs: [0, 60_000], attempts: 1 },
  log: (line) => lines.push(line),
};
const mock: RunningMock = await startMock(options);
const settled = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const sent = await fetch(mock.url + path, { method: "POST", headers: { "content-type": "application/json", "api-key": apiKey }, body: JSON.stringify(${JSON.stringify(example)}) });
const answer = (await sent.json()) as { code: string; data: { message_id: string } };
const journaled: JournalEntry[] = await mock.admin.requests({ to: "${example.messaging_object.to}" });

// What would keep the process alive if close() left it: an answer held back by a fault, one held
// by a delay, a request stalled mid-body, a kept-alive connection (fetch's), and a callback in
// flight to a receiver that never answers.
await mock.admin.addScenario({ match: { to: "+919800000001" }, respond: { fault: "no-response" } });
await mock.admin.addScenario({ match: { to: "+919800000002" }, respond: { example: "accepted" }, delayMs: 600_000 });
const kaleyra = createKaleyraClient({ baseUrl: mock.url, sid: "${vendorSid}", apiKey });
const outcome = (to: string) => kaleyra.sendVideo({ phoneNumber: "${businessNumber}", to, video: { id: "1" } }).then(() => "answered", (error: unknown) => (isKaleyraError(error) ? error.kind : "other"));
const held = [outcome("+919800000001"), outcome("+919800000002")];
await settled(async () => ((await mock.admin.scenarios()).every((scenario) => scenario.matched === 1) ? true : undefined));
const { port, hostname } = new URL(mock.url);
const stalled = connect(Number(port), hostname);
stalled.on("error", () => {});
stalled.write(\`POST \${path} HTTP/1.1\\r\\nhost: \${hostname}\\r\\napi-key: \${apiKey}\\r\\ncontent-type: application/json\\r\\ncontent-length: 100\\r\\nexpect: 100-continue\\r\\n\\r\\n\`);
// The 100 Continue says the mock holds the request open, waiting for its body.
await new Promise((resolve) => stalled.once("data", resolve));
stalled.write("{");
await settled(async () => ((await mock.admin.raw.GET("/__admin/callbacks")).data?.deliveries.some((delivery) => delivery.state === "sending") ? true : undefined));

const closing = Date.now();
await mock.close();
await mock.close();
const closedAt = Date.now();
console.log(JSON.stringify({
  status: sent.status,
  code: answer.code,
  journaled: journaled.map((entry) => [entry.response.status, entry.response.messageId === answer.data.message_id, entry.body]),
  held: await Promise.all(held),
  logged: lines.length > 0 && lines.every((line) => !line.endsWith("\\n") && !line.includes(apiKey)),
  closeMs: closedAt - closing,
  closedAt,
}));

// Checked by the compiler, never run.
export async function misuses() {
  // @ts-expect-error: the engines are "fast" and "prism"
  await startMock({ engine: "turbo" });
  // @ts-expect-error: latency is milliseconds or { min, max }, not text
  await startMock({ latencyMs: "250" });
  // @ts-expect-error: no such option
  await startMock({ latency: 250 });
  // @ts-expect-error: the log is "silent", "info" or a function of a line
  await startMock({ log: true });
  // @ts-expect-error: the admin client is typed from the admin contract
  await mock.admin.addScenario({ match: {}, respond: { fault: "explode" } });
}
`,
    );
    writeFileSync(
      join(withTools, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          typeRoots: [join(repo, "node_modules/@types")],
          outDir: "out",
          skipLibCheck: false,
        },
        include: ["mock.ts"],
      }),
    );
    await run(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: withTools });

    // A receiver that takes the callback's connection and never answers.
    const { createServer } = await import("node:net");
    const receiverSockets: import("node:net").Socket[] = [];
    const receiver = createServer((socket) => receiverSockets.push(socket));
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { spawn } = await import("node:child_process");
    try {
      const child = spawn(process.execPath, ["out/mock.js"], {
        cwd: withTools,
        env: { ...process.env, RECEIVER_URL: `http://127.0.0.1:${(receiver.address() as import("node:net").AddressInfo).port}/hook` },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exitedAt = await within("the script's exit", new Promise<number>((resolve) => child.on("exit", () => resolve(Date.now()))), 60_000);
      expect(stderr).toBe("");
      const lines = stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      const report = JSON.parse(lines[0]!) as { closeMs: number; closedAt: number };
      expect(report).toEqual({
        status: 202,
        code: "WA202",
        journaled: [[202, true, example]],
        held: ["transport", "transport"],
        logged: true,
        closeMs: expect.any(Number),
        closedAt: expect.any(Number),
      });
      expect(receiverSockets).toHaveLength(1);
      // Every hazard above lasts 5 s at least (the callback's time limit, Node's keep-alive) or
      // far longer: a process that ends within 3 s of close() was held by none of them.
      expect(report.closeMs).toBeLessThan(3_000);
      expect(exitedAt - report.closedAt).toBeLessThan(3_000);
    } finally {
      for (const socket of receiverSockets) socket.destroy();
      receiver.close();
    }
  }, 90_000);
});
