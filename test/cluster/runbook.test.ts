// The runner behind every cluster step: prints each command, captures output for later steps, stops
// at the first failure with the command in the message.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('an unless step runs its steps only when the probe output does not show them done, and dry-runs them indented', async () => {
  const guarded = (answer: string): Runbook => ({
    steps: [
      {
        type: 'unless',
        probe: { argv: ['sh', '-c', `echo ${answer}`] },
        condition: 'it says done',
        holds: (stdout) => stdout.trim() === 'done',
        steps: [commandStep(['sh', '-c', 'echo ran >&2'])],
      },
    ],
  });
  assert.deepEqual(describeRunbook(guarded('done')), ["sh -c 'echo done'  # unless it says done:", "  sh -c 'echo ran >&2'"]);
  const skipped: string[] = [];
  await executeRunbook(guarded('done'), { cwd: process.cwd(), log: (line) => skipped.push(line), output: () => {} });
  assert.deepEqual(skipped, ["$ sh -c 'echo done'", '  it says done: skipping 1 step(s)']);
  const ran: string[] = [];
  await executeRunbook(guarded('pending'), { cwd: process.cwd(), log: (line) => ran.push(line), output: () => {} });
  assert.deepEqual(ran, ["$ sh -c 'echo pending'", "$ sh -c 'echo ran >&2'"]);
});

test('a probe whose output misses the expectation stops the runbook with its own message', async () => {
  const runbook: Runbook = {
    steps: [
      {
        type: 'probe',
        cmd: { argv: ['sh', '-c', 'echo v1'] },
        expectation: 'must be v2',
        verify: (out) => (out.includes('v2') ? undefined : 'too old'),
      },
      commandStep(['sh', '-c', 'exit 9']),
    ],
  };
  assert.deepEqual(describeRunbook(runbook), ["sh -c 'echo v1'  # must be v2", "sh -c 'exit 9'"]);
  await assert.rejects(executeRunbook(runbook, { cwd: process.cwd(), log: () => {} }), { message: 'too old' });
});

test('checks run with the runner environment; writes create their parent directories', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-runbook-'));
  try {
    const seen: string[] = [];
    const runbook: Runbook = {
      steps: [
        { type: 'check', description: 'the variable is set', run: async (context) => void seen.push(context.env.PROBE_ME ?? 'unset') },
        { type: 'write', path: 'a/b/c.txt', content: 'hello\n', description: 'a greeting' },
      ],
    };
    assert.deepEqual(describeRunbook(runbook), ['# check: the variable is set', '# write a/b/c.txt: a greeting']);
    await executeRunbook(runbook, { cwd: dir, env: { PROBE_ME: 'yes' }, log: () => {} });
    assert.deepEqual(seen, ['yes']);
    assert.equal(readFileSync(join(dir, 'a/b/c.txt'), 'utf8'), 'hello\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
