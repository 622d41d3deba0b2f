// Plain JavaScript so every runtime the runtime benchmark compares (Node 20 too) runs it unchanged.
// The bare Express 5 "hello world" from expressjs.com: the service's speed goal. Started by the
// service benchmark as its own process; PORT comes from the environment.
import express from 'express';

const port = Number(process.env.PORT);
const app = express();

app.get('/', (_request, response) => {
  response.send('Hello World!');
});

app.listen(port, '127.0.0.1');
