// What replay reads: only a regular file, line by line, each line refused as soon as it passes
// the limit, never read whole: a FIFO with no writer, a device that never ends, a line with no end.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { maxRecordLine, RecordingError, replayRecording } from "./recorded.ts";

const options = { lenient: false, mask: (text: string) => text };
const failureOf = (file: string) => replayRecording(file, options).then(() => undefined, (error: unknown) => error);

describe("the files replay reads", () => {
  it("refuses a FIFO, a device and a folder without opening them for long", async () => {
    const folder = mkdtempSync(join(tmpdir(), "replay-files-"));
    const fifo = join(folder, "pipe");
    execFileSync("mkfifo", [fifo]);
    for (const file of [fifo, "/dev/zero", folder]) {
      const error = await failureOf(file);
      expect(error).toBeInstanceOf(RecordingError);
      expect((error as Error).message).toBe(`cannot read ${file}: it is not a regular file (a recording is a file kaleyra-video proxy --record wrote)`);
    }
    const missing = join(folder, "missing.ndjson");
    expect(((await failureOf(missing)) as Error).message).toBe(`cannot read ${missing}: ENOENT`);
  });

  it("refuses a line with no end once it passes the limit, naming its number", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-long-")), "long.ndjson");
    writeFileSync(file, `\n\n${"x".repeat(maxRecordLine * 3)}`);
    expect(((await failureOf(file)) as Error).message).toBe(`line 3 of ${file} is longer than ${maxRecordLine} characters`);
  });

  it("reads CRLF lines and a last line without a newline", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-crlf-")), "crlf.ndjson");
    writeFileSync(file, "\r\n  \r\n\r\n");
    expect(await replayRecording(file, options)).toMatchObject({ recording: { exchanges: 0 } });
    writeFileSync(file, "\r\nnot json");
    expect(((await failureOf(file)) as Error).message).toBe(`line 2 of ${file} is not JSON; a recording is one JSON record a line (kaleyra-video proxy --record)`);
  });
});
