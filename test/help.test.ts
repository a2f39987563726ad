// Help and the guides are one: every flag each command reads (from its own parseArgs definitions)
// and every environment setting it reads (recorded as the code reads it) is in the command's --help
// and in the guide that documents the command; and every flag the README and the guides name is
// one a command reads.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { callbacksFlags, callbacksHelp } from "../src/cli/callbacks.ts";
import { cli } from "../src/cli/cli.ts";
import { sendFlags, sendHelp } from "../src/cli/send.ts";
import { configFromEnv } from "../src/mock/config.ts";
import { proxyFlags, proxyHelp } from "../src/cli/tools/proxy.ts";
import { conformFlags, conformHelp } from "../src/cli/tools/conform.ts";

/** The guide that documents each command, its flags and the environment it reads. */
const guideOf = {
  send: "docs/cli.md",
  mock: "docs/mock.md",
  conform: "docs/conformance.md",
  proxy: "docs/live-workflow.md",
  callbacks: "docs/callbacks.md",
} as const;
const guide = (command: keyof typeof guideOf) => readFileSync(guideOf[command], "utf8");
/** `--name` as a whole flag: not the start of a longer one (`--ref` is not in `--ref1`). */
const namesFlag = (text: string, name: string) => new RegExp(`--${name}(?![\\w-])`).test(text);
/** A variable's name as a whole word (`PORT` is not in `KALEYRA_PORT`). */
const namesVariable = (text: string, name: string) => new RegExp(`(?<![\\w])${name}(?![\\w])`).test(text);

/** An environment that records every name read from it, and holds none. */
function recordingEnv(): { env: NodeJS.ProcessEnv; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, name) => {
      if (typeof name === "string") read.add(name);
      return undefined;
    },
    has: (_target, name) => {
      if (typeof name === "string") read.add(name);
      return false;
    },
  });
  return { env, read };
}

async function helpOf(command: string): Promise<string> {
  let out = "";
  await cli([command, "--help"], { env: {}, out: (text) => (out += text), err: () => {} });
  return out;
}

describe("every flag is in --help and in the command's guide", () => {
  const commands = [
    ["send", sendFlags, sendHelp],
    ["conform", conformFlags, conformHelp],
    ["proxy", proxyFlags, proxyHelp],
    ["callbacks", callbacksFlags, callbacksHelp],
  ] as const;
  it.each(commands)("%s", async (command, flags, help) => {
    expect(await helpOf(command)).toBe(help);
    const names = Object.keys(flags).filter((name) => name !== "help");
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((name) => !new RegExp(`--${name}\\b`).test(help))).toEqual([]);
    expect(names.filter((name) => !namesFlag(guide(command), name))).toEqual([]);
  });

  it("every flag the README and the guides name is one a command reads", () => {
    const read = new Set([sendFlags, conformFlags, proxyFlags, callbacksFlags].flatMap((flags) => Object.keys(flags)));
    const docs = [
      "README.md",
      ...readdirSync("docs")
        .filter((name) => name.endsWith(".md"))
        .map((name) => `docs/${name}`),
    ];
    const named = docs.flatMap((file) => [...readFileSync(file, "utf8").matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map(([, name]) => `${file}: --${name}`));
    expect(named.length).toBeGreaterThan(read.size);
    expect(named.filter((entry) => !read.has(entry.slice(entry.indexOf("--") + 2)))).toEqual([]);
  });
});

describe("every environment setting is in --help and in the command's guide", () => {
  it("the mock's: each name its configuration reads", async () => {
    const { env, read } = recordingEnv();
    configFromEnv(env);
    const names = [...read];
    expect(names).toEqual(expect.arrayContaining(["PORT", "HOST", "KALEYRA_MOCK_API_KEY", "KALEYRA_MOCK_LATENCY_MS"]));
    const help = await helpOf("mock");
    expect(names.filter((name) => !help.includes(name))).toEqual([]);
    expect(names.filter((name) => !namesVariable(guide("mock"), name))).toEqual([]);
  });

  it("each command's: the names it reads on its way to a run", async () => {
    // A port held, so that proxy reads its settings and then cannot listen; conform gets a
    // closed port and stops at its diagnosis; send a closed port too.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = String((holder.address() as { port: number }).port);
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const closed = String((spare.address() as { port: number }).port);
    await new Promise((resolve) => spare.close(resolve));
    try {
      const runs = [
        ["send", ["--base-url", `http://127.0.0.1:${closed}`, "--sid", "S", "--phone-number", "+918630005920", "--to", "+919876543210", "--video-id", "1"]],
        ["conform", ["--target", `http://127.0.0.1:${closed}`, "--sid", "S", "--phone-number", "+918630005920"]],
        ["proxy", ["--upstream", `http://127.0.0.1:${port}`, "--port", port]],
      ] as const;
      for (const [command, args] of runs) {
        const { env, read } = recordingEnv();
        // Without a key the commands stop at once; with one read through the proxy, they go on.
        const withKey = new Proxy(env, {
          get: (target, name) => {
            const value = Reflect.get(target, name);
            return name === "KALEYRA_API_KEY" ? "test-key" : value;
          },
        });
        await cli([command, ...args], { env: withKey, out: () => {}, err: () => {} });
        const names = [...read];
        expect(names, command).toContain("KALEYRA_API_KEY");
        const help = await helpOf(command);
        expect(
          names.filter((name) => !help.includes(name)),
          command,
        ).toEqual([]);
        expect(
          names.filter((name) => !namesVariable(guide(command), name)),
          command,
        ).toEqual([]);
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe("conform's help names what it takes", () => {
  it("the pods by name, and every check with its description", async () => {
    const { podUrls } = await import("../src/client/pods.ts");
    const { checkDescriptions, checkNames } = await import("../src/judge/checks.ts");
    expect(conformHelp).toContain(`or a pod: ${Object.keys(podUrls()).join(", ")}`);
    for (const name of checkNames) expect(conformHelp, name).toContain(`\n  ${name.padEnd(24)}${checkDescriptions[name]}`);
  });
});
