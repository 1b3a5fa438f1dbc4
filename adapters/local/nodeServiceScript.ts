/** Exit code of the node service when its port is taken, so the adapter picks another. */
export const ADDRESS_IN_USE_EXIT_CODE = 98;

/**
 * Source of the process a local "node" runs: a tiny HTTP service answering
 * `GET /health` on 127.0.0.1. The adapter writes it into its temp dir and runs
 * it with plain `node` (`node node-service.cjs <port> <id> <zone>`), so it
 * works from the TypeScript sources and from the built package alike.
 * It exits on `SIGTERM` (a stop), and when its IPC channel to the adapter
 * closes, so that it never outlives the adapter's process.
 */
export const NODE_SERVICE_SCRIPT = String.raw`'use strict';
const http = require('http');
const [port, id, zone] = process.argv.slice(2);
const startedAt = Date.now();
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/health' || req.url.startsWith('/health?'))) {
    const body = JSON.stringify({ status: 'ok', id, zone, pid: process.pid, uptimeMs: Date.now() - startedAt });
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    res.end(body);
    return;
  }
  res.writeHead(404, { connection: 'close' });
  res.end();
});
server.on('error', (error) => process.exit(error.code === 'EADDRINUSE' ? ${ADDRESS_IN_USE_EXIT_CODE} : 1));
server.listen(Number(port), '127.0.0.1');
function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', () => process.exit(0));
`;
