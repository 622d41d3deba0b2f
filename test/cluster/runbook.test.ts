// The runner behind every cluster step: prints each command, captures output for later steps, stops
// at the first failure with the command in the message.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import { commandStep, describeRunbook, executeRunbook, type Runbook, toolsOf } from '../../tools/cluster/runbook.ts';

let server: Server;
let address: string;

before(async () => {
  server = createServer((_req, res) => {
    res.setHeader('X-Served-By', 'replica-1');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('a captured value fills the placeholders of later requests (how smoke finds minikube ip)', async () => {
  const runbook: Runbook = {
    steps: [
      commandStep([process.execPath, '-e', `console.log(${JSON.stringify(address)})`], 'ingress'),
      { type: 'requests', section: 'cakes', url: 'http://{ingress}/cakes', count: 3 },
    ],
  };
  const lines: string[] = [];
  await executeRunbook(runbook, { cwd: process.cwd(), log: (line) => lines.push(line) });
  assert.deepEqual(lines.slice(1), [`  ingress = ${address}`, `cakes: 3/3 OK from http://${address}/cakes, X-Served-By: replica-1 x3`]);
  assert.match(lines[0] ?? '', /^\$ \S+ -e 'console\.log\(.*\)'$/);
  assert.deepEqual(
    describeRunbook(runbook).at(-1),
    `GET http://$(${process.execPath} -e 'console.log(${JSON.stringify(address)})')/cakes x3 (prints X-Served-By per replica)`,
  );
});

test('the first failing command stops the runbook and is named in the error', async () => {
  const runbook: Runbook = { steps: [commandStep(['sh', '-c', 'exit 3']), commandStep(['sh', '-c', 'echo never'])] };
  const lines: string[] = [];
  await assert.rejects(executeRunbook(runbook, { cwd: process.cwd(), log: (line) => lines.push(line) }), {
    message: "command failed (exit code 3): sh -c 'exit 3'",
  });
  assert.deepEqual(lines, ["$ sh -c 'exit 3'"]);
});

test('the tools a runbook needs are its commands plus its extra tools, each once', () => {
  const runbook: Runbook = {
    extraTools: ['docker'],
    steps: [commandStep(['kind', 'a']), commandStep(['kubectl', 'b']), commandStep(['kind', 'c'])],
  };
  assert.deepEqual(toolsOf(runbook), ['docker', 'kind', 'kubectl']);
});
