// Starting one of the kit's servers (the mock, the proxy, a callback receiver): listen on
// host:port, fail with the bind's own error (EADDRINUSE, EACCES) rather than an unhandled
// 'error' event, and give the base URL (an IPv6 host in brackets).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const shown = host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${(server.address() as AddressInfo).port}`;
}

/** Why a server could not listen, in the user's words, or undefined for another error. */
export function bindProblem(error: unknown, host: string, port: number, remedy: string): string | undefined {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return `port ${port} on ${host} is in use; ${remedy}`;
  if (code === "EACCES" || code === "EADDRNOTAVAIL") return `cannot listen on ${host}:${port} (${code}); ${remedy}`;
  return undefined;
}
