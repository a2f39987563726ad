// `kaleyra-video`: send a video message, or run the local mock. `cli()` is the program without the
// process around it, so tests can run it in-process.
import { exitCodes, isUsageError, UsageError, type CommandIo } from "./output.ts";
import { send } from "./send.ts";
import { callbacksCommand } from "./callbacks.ts";

const mockHelp = `Usage: kaleyra-video mock

Runs the local mock of the send-video API, as npm start does: Stoplight Prism serving the
contract, on http://127.0.0.1:4010. Stop it with Ctrl-C.

Environment: PORT, HOST, KALEYRA_MOCK_LOG=silent, KALEYRA_MOCK_ENGINE, KALEYRA_MOCK_REQUEST_TIMEOUT_MS,
the account the mock knows: KALEYRA_MOCK_API_KEY, KALEYRA_MOCK_SID, KALEYRA_MOCK_PHONE_NUMBERS
(comma-separated); the integration-test server: KALEYRA_MOCK_LATENCY_MS (250 or 100-900),
KALEYRA_MOCK_JOURNAL_LIMIT, KALEYRA_MOCK_ADMIN_TOKEN; status callbacks: KALEYRA_MOCK_CALLBACK_URL,
KALEYRA_MOCK_CALLBACK_DELAYS_MS (100,200,300), KALEYRA_MOCK_CALLBACK_ATTEMPTS (4).
The admin API is on the same port under /__admin/ (see the README).

Exit codes: 0 stopped by SIGINT or SIGTERM, 1 an unexpected failure (one line; KALEYRA_DEBUG=1
shows where) or the tools package missing, 2 a bad setting or a port that cannot be used.

Example:
  PORT=4010 KALEYRA_MOCK_API_KEY=test-key kaleyra-video mock
`;

const mainHelp = `Usage: kaleyra-video <command> [options]

Commands:
  send    send one WhatsApp video message (or --dry-run it) through Kaleyra's API v2
  mock    run the local mock of the API
  conform check a target (the mock, a pod, another implementation) against the contract
  callbacks  listen for status callbacks and check them against the contract
  proxy   a recording, validating proxy in front of a pod (or the mock); drift summary on stop

Run kaleyra-video <command> --help for a command's options.

Example:
  KALEYRA_API_KEY=any-key kaleyra-video send --base-url http://127.0.0.1:4010 --sid HXAP16XXXXXX97IN \\
    --phone-number +918630005920 --to +919876543210 --video-id 1166846181421424
`;

/** The package that carries the mock, the proxy and conformance (Prism, fast-check): see the README. */
export const toolsPackage = "kaleyra-whatsapp-video-tools";

// `mock`, `conform` and `proxy` are loaded only when asked for: Prism and fast-check are heavy.
// In a clone they are in this tree (`../mock/`, `./tools/`); installed, they come with the tools
// package (its export of the same name), which a project that only sends messages does not need.
export const tools = {
  mock: { what: "the mock", beside: () => import("../mock/run.ts") },
  proxy: { what: "the proxy", beside: () => import("./tools/proxy.ts") },
  conform: { what: "conform", beside: () => import("./tools/conform.ts") },
} as const;

type Tools = typeof tools;
/** Where a tool is found: here, or (when `beside` is not found) in the tools package. Tests swap these. */
export interface ToolSource {
  what: string;
  beside: () => Promise<unknown>;
}
export type ToolSources = { [N in keyof Tools]: ToolSource };
type ToolModule<N extends keyof Tools> = Awaited<ReturnType<Tools[N]["beside"]>>;

const missing = (error: unknown) => (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND";

/** The tool's module, or undefined (said on stderr) when neither this clone nor the tools package has it. */
export async function loadTool<N extends keyof Tools>(
  name: N,
  io: CommandIo,
  tool: ToolSource = tools[name],
  // A specifier in a variable: the tools package is not a dependency of this one.
  importPackage: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<ToolModule<N> | undefined> {
  try {
    return (await tool.beside()) as ToolModule<N>;
  } catch (error) {
    if (!missing(error)) throw error;
  }
  try {
    return (await importPackage(`${toolsPackage}/${name}`)) as ToolModule<N>;
  } catch (error) {
    if (!missing(error)) throw error;
    io.err(`kaleyra-video: ${tool.what} comes with the tools package.\nInstall it beside this one: npm install --save-dev ${toolsPackage}`);
    return undefined;
  }
}

async function mock(io: CommandIo, from: ToolSources): Promise<number> {
  const tool = await loadTool("mock", io, from.mock);
  if (!tool) return exitCodes.unexpected;
  await tool.runMock(io.env);
  return exitCodes.ok;
}

async function proxy(argv: string[], io: CommandIo, from: ToolSources): Promise<number> {
  const tool = await loadTool("proxy", io, from.proxy);
  if (!tool) return exitCodes.unexpected;
  return tool.proxyCommand(argv, io);
}

async function conformance(argv: string[], io: CommandIo, from: ToolSources): Promise<number> {
  const tool = await loadTool("conform", io, from.conform);
  if (!tool) return exitCodes.unexpected;
  return tool.conform(argv, io);
}

export async function cli(argv: string[], io: CommandIo, from: ToolSources = tools): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "send":
        return await send(rest, io);
      case "conform":
        return await conformance(rest, io, from);
      case "callbacks":
        return await callbacksCommand(rest, io);
      case "proxy":
        return await proxy(rest, io, from);
      case "mock":
        if (rest.includes("--help") || rest.includes("-h")) {
          io.out(mockHelp);
          return exitCodes.ok;
        }
        if (rest.length > 0) throw new UsageError(`mock takes no arguments; see kaleyra-video mock --help`);
        return await mock(io, from);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(mainHelp);
        return command === undefined ? exitCodes.usage : exitCodes.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    // parseArgs reports unknown or malformed flags as TypeErrors with a code.
    if (!isUsageError(error)) throw error;
    io.err(
      `kaleyra-video: ${(error as Error).message}\n${command === "send" ? "Run kaleyra-video send --help for the options." : "Run kaleyra-video --help."}`,
    );
    return exitCodes.usage;
  }
}
