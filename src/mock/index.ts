// The mock in the test process: `import { startMock } from "kaleyra-whatsapp-video-tools"`. Each
// call is a mock of its own (port, journal, scenarios, callbacks), so test files that run in
// parallel each start theirs and never see another's. Silent unless asked; no signal handlers,
// no process.exit; close() leaves nothing behind that keeps the process alive.
import { createMockAdmin, type MockAdmin } from "../client/mock-admin.ts";
import { KaleyraValidationError } from "../client/errors.ts";
import { configFromOptions, type StartMockOptions } from "./config.ts";
import { startMock as startServer } from "./server.ts";
import { bufferedStdout } from "./log.ts";

export type { StartMockOptions } from "./config.ts";
export type { EngineChoice, Latency, LogLevel, MockAccount } from "./config.ts";

export interface RunningMock {
  /** Where the mock listens, e.g. `http://127.0.0.1:43817`: the base URL of the client under test. */
  readonly url: string;
  /** The admin client, bound to this mock (with its admin token, when one is set). */
  readonly admin: MockAdmin;
  /**
   * Stops everything the mock started: its sockets (in-flight requests are cut), held answers,
   * timers and queued callbacks. Resolves once the port is free; again, at once.
   */
  close(): Promise<void>;
}

/**
 * Starts a mock on a free loopback port (by default). Rejects with a KaleyraValidationError
 * naming each option at fault, before anything listens; or with the listen's own error
 * (EADDRINUSE for a port taken).
 */
export async function startMock(options?: StartMockOptions): Promise<RunningMock> {
  const read = configFromOptions(options);
  if (!read.ok) throw new KaleyraValidationError(read.issues, { method: "", url: "" }, "The mock's options cannot work, so it was not started");
  const { config, lines } = read;
  // The mock writes each line with its newline, which a function is not given: the line alone, at once.
  // Lines for stdout are gathered and written in chunks, as `npm start` writes them; close()
  // writes what is left, and so does the process's exit for a mock never closed.
  const stdout = lines || config.log === "silent" ? undefined : bufferedStdout();
  const write = lines ? (text: string) => lines(text.slice(0, -1)) : stdout?.write;
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ ...config, ...(write ? { write } : {}) });
  } catch (error) {
    stdout?.release();
    throw error;
  }
  // The mock's own address, where this process listens: the token never leaves the machine, whatever the host.
  const admin = createMockAdmin({ baseUrl: server.url, allowInsecureHttp: true, ...(config.adminToken === undefined ? {} : { token: config.adminToken }) });
  const close = () => (stdout ? server.closeNow().finally(stdout.release) : server.closeNow());
  return { url: server.url, admin, close };
}
