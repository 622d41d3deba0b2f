// Plain JavaScript so every runtime the runtime benchmark compares (Node 20 too) runs it unchanged.
// A bare node:http "hello world": the ceiling for any Node HTTP server on this machine.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);

createServer((_request, response) => {
  response.end('Hello World!');
}).listen(port, '127.0.0.1');
