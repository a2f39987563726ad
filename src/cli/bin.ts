#!/usr/bin/env node
// The `kaleyra-video` executable.
import { cli } from "./cli.ts";
import { exitCodes } from "./output.ts";

cli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  // `mock` resolves once listening and keeps the process alive until a signal.
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One line, no stack trace: KALEYRA_DEBUG=1 shows it.
    process.stderr.write(
      `kaleyra-video: unexpected failure: ${process.env.KALEYRA_DEBUG ? ((error as Error).stack ?? String(error)) : ((error as Error).message ?? String(error)).split("\n")[0]}\n`,
    );
    process.exitCode = exitCodes.unexpected;
  },
);
