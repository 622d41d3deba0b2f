// `npm run smoke` against a stand-in ingress on loopback: two "replicas" per section taking turns.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

let server: Server;
let base: string;
const counters = new Map<string, number>();
const hosts = new Set<string>();

before(async () => {
  server = createServer((req, res) => {
    hosts.add(req.headers.host ?? '');
    const section = (req.url ?? '/').split('/')[1] ?? '';
    const n = counters.get(section) ?? 0;
    counters.set(section, n + 1);
    res.setHeader('X-Served-By', `${section}-${n % 2 === 0 ? 'a' : 'b'}`);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function runSmoke(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['tools/cluster/main.ts', 'smoke', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('smoke requests every section and reports which replicas answered', async () => {
  const result = await runSmoke('--url', base, '--requests', '4');
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    `chocolates: 4/4 OK from ${base}/chocolates, X-Served-By: chocolates-a x2, chocolates-b x2`,
    `candies: 4/4 OK from ${base}/candies, X-Served-By: candies-a x2, candies-b x2`,
    `cakes: 4/4 OK from ${base}/cakes, X-Served-By: cakes-a x2, cakes-b x2`,
  ]);
  assert.match(lines[3] ?? '', /^smoke: done in \d+\.\d s$/);
});

test('an unreachable ingress fails with one line naming the URL and the cause', async () => {
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const result = await runSmoke('--url', `http://127.0.0.1:${closed}`, '--requests', '2');
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(
      `^smoke: chocolates: 2 of 2 requests to http://127\\.0\\.0\\.1:${closed}/chocolates failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}\\)\\n$`,
    ),
  );
});

test('an environment whose Ingress matches a host sends that Host header', async () => {
  hosts.clear();
  const result = await runSmoke('--env', 'production', '--url', base, '--requests', '1');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual([...hosts], ['shop.example.com']);
});
