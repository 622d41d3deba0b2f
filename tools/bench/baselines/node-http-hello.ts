// A bare node:http "hello world": the ceiling for any Node HTTP server on this machine.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);

createServer((_req, res) => {
  res.end('Hello World!');
}).listen(port, '127.0.0.1');
