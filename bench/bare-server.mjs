// The baseline for `npm run bench:mock`: a bare node:http server that reads the body, parses it
// and answers the same WA202 envelope. Plain JavaScript, so it starts as fast as Node does.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      response.writeHead(400, { "content-type": "application/json" }).end('{"code":"WA400"}');
      return;
    }
    const body = `{"code":"WA202","message":"Request Accepted","data":{"message_id":"${randomUUID()}"},"error":{}}`;
    response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
