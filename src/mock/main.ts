// `npm start`: the mock on 127.0.0.1:4010 (PORT, HOST and the KALEYRA_MOCK_* variables change it).
import { runMock } from "./run.ts";

runMock().catch((error: unknown) => {
  // One line, no stack trace: KALEYRA_DEBUG=1 shows it.
  process.stderr.write(
    `kaleyra mock: unexpected failure: ${process.env.KALEYRA_DEBUG ? ((error as Error).stack ?? String(error)) : ((error as Error).message ?? String(error))}\n`,
  );
  process.exit(1);
});
