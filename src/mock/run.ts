// Running the mock as a process (`npm start`, `kaleyra-video mock`): settings from the environment,
// a start-up banner, and a clean stop on SIGINT/SIGTERM.
import { operation } from "../contract/operation.ts";
import { adminAccess } from "./admin/access.ts";
import { adminPath } from "../contract/document.ts";
import { ConfigError, configFromEnv, defaultJournalLimit, type MockConfig } from "./config.ts";
import { startMock, type MockServer } from "./server.ts";
import { bindProblem } from "../http/listen.ts";
import { bufferedStdout } from "./log.ts";

export function describeAccount({ account }: MockConfig): string {
  const checks = [
    account.apiKey !== undefined ? "api-key" : undefined,
    account.sid !== undefined ? `sid ${account.sid}` : undefined,
    account.phoneNumbers !== undefined ? `business numbers ${account.phoneNumbers.join(", ")}` : undefined,
  ].filter((check) => check !== undefined);
  return checks.length
    ? `Account checks: ${checks.join("; ")}.`
    : "No account set (KALEYRA_MOCK_API_KEY, KALEYRA_MOCK_SID, KALEYRA_MOCK_PHONE_NUMBERS): any non-empty api-key is accepted.";
}

/** Where the admin API is, and who may use it. */
export function describeAdmin(config: MockConfig, url: string): string {
  const access = adminAccess(config.host, config.adminToken);
  if (access.mode === "off") return `Admin API off: HOST ${config.host} is not loopback and KALEYRA_MOCK_ADMIN_TOKEN is unset.`;
  const journal = config.journalLimit === 0 ? "journal off" : `journal keeps ${config.journalLimit ?? defaultJournalLimit}`;
  const prefix = adminPath("getIdentity").replace(/[^/]+$/, "");
  return `Admin API: ${url}${prefix} (${access.mode === "token" ? "needs the token" : "open on loopback"}; ${journal}).`;
}

/** Where status callbacks go. */
export function describeCallbacks(config: MockConfig): string {
  const url = config.callbacks?.url;
  return url === undefined ? "Status callbacks off (KALEYRA_MOCK_CALLBACK_URL, or PUT /__admin/callbacks)." : `Status callbacks to ${url}.`;
}

// Stryker disable all: runMock runs only as its own process (npm start, `kaleyra-video mock`),
// where no mutant can reach; test/start.test.ts and test/package.test.ts test it there.
/** Runs until SIGINT or SIGTERM; exits 2 on bad settings. */
export async function runMock(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: MockConfig;
  try {
    config = configFromEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kaleyra mock: ${error.message}\n`);
    process.exit(2);
  }
  // Every line the process prints on stdout goes through one buffer, in order: a request's line
  // costs no write system call of its own, and nothing gathered is lost at exit (the buffer is
  // written when the process exits, however it exits).
  const output = bufferedStdout();
  // Exits once stdout has taken every line: a pipe's writes may be asynchronous on some platforms.
  const exit = (code: number) => {
    output.end();
    process.stdout.write("", () => process.exit(code));
  };
  // Handlers first: a signal that arrives while the mock starts must still end it cleanly.
  let mock: MockServer | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    output.write(`${signal}: finishing in-flight requests, then exiting.\n`);
    output.flush();
    if (!mock) return exit(0);
    // In-flight requests finish; a connection that stays open past this is cut.
    const force = setTimeout(() => mock?.server.closeAllConnections(), 5_000);
    force.unref();
    mock.close().then(
      () => exit(0),
      () => exit(0),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  try {
    mock = await startMock({ ...config, write: output.write });
  } catch (error) {
    const problem = bindProblem(error, config.host, config.port, "start the mock with another PORT (PORT=0 picks a free one) or HOST");
    if (problem === undefined) throw error;
    process.stderr.write(`kaleyra mock: ${problem}\n`);
    process.exit(2);
  }
  if (stopping) {
    await mock.close();
    return exit(0);
  }
  const { method, path } = operation();
  output.write(
    `Kaleyra WhatsApp video mock listening on ${mock.url}\n` +
      `  ${method.toUpperCase()} ${mock.url}${path}\n` +
      `  ${describeAccount(config)}\n` +
      `  ${describeAdmin(config, mock.url)}\n` +
      `  ${describeCallbacks(config)}\n`,
  );
  output.flush();
}
// Stryker restore all
