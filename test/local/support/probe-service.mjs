// A stand-in replica that makes a broken scaling contract visible to a client. It listens at once, but
// until READY_DELAY_MS has passed /readyz answers 503 and every other request a 500: a replica nginx sent
// traffic to before it was ready fails requests. After SIGTERM it keeps listening for 2 s and answers
// every request 500: a replica that was told to stop while nginx still routed to it fails requests too.
// A 500 is never retried by local mode's nginx. Plain JavaScript: it starts in ~40 ms.
import { createServer } from 'node:http';

const started = Date.now();
const readyDelayMs = Number(process.env.READY_DELAY_MS ?? 0);
const burnMs = Number(process.env.BURN_MS ?? 0);
let terminating = false;

const server = createServer((req, res) => {
  const ready = Date.now() - started >= readyDelayMs && !terminating;
  req.resume();
  // On every response, as the real service does: local mode's readiness check reads it.
  res.setHeader('x-served-by', process.env.REPLICA_ID ?? 'probe');
  if (req.url === '/readyz') {
    res.writeHead(ready ? 200 : 503).end();
    return;
  }
  if (!ready) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: terminating ? 'terminating' : 'not ready' }));
    return;
  }
  const until = Date.now() + burnMs;
  while (Date.now() < until); // CPU the HPA sees, per request
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST);

process.on('SIGTERM', () => {
  terminating = true;
  setTimeout(() => process.exit(0), 2_000);
});
