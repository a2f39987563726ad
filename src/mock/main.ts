// `npm start`: the mock on 127.0.0.1:4010 (PORT, HOST and the KALEYRA_MOCK_* variables change it).
import { runMock } from "./run.ts";

runMock().catch((error: unknown) => {
  process.stderr.write(`kaleyra mock: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
