import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, type ReadStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import autocannon from 'autocannon';

import { createLogOutput } from '../../service/src/logger.ts';
import { type SpawnedServer, spawnServer } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

test('when nobody reads the log output, lines beyond a few MiB are dropped and counted, not buffered', async (t) => {
  // A FIFO opened read-write: opening does not wait for a reader, and nothing reads it (a stuck log collector).
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-log-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  // The reader, once it comes back; until then a write to the full FIFO blocks (and would keep this process alive).
  let text = '';
  let reader: ReadStream | undefined;
  const read = () => (reader ??= createReadStream(fifo, { encoding: 'utf8' }).on('data', (chunk) => (text += chunk)));
  let dropped = 0;
  const output = createLogOutput({
    level: 'info',
    replica: 'r',
    section: 'chocolates',
    fd: openSync(fifo, 'r+'),
    onDroppedLine: () => dropped++,
  });
  t.after(async () => {
    read();
    await output.close();
    reader?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = 100_000;
  const path = `/chocolates/items/${'x'.repeat(200)}`;
  const before = heapMb();
  for (let i = 0; i < lines; i++) output.log.info({ method: 'GET', path, status: 404, durationMs: 0.1 }, 'request');
  const grownMb = heapMb() - before;
  t.diagnostic(`${lines} lines of ~330 bytes: heap grew ${grownMb.toFixed(1)} MB, ${dropped} lines dropped`);
  assert.ok(grownMb < 12, `the heap grew ${grownMb.toFixed(1)} MB while nobody read the log`);
  assert.ok(dropped > lines * 0.8, `only ${dropped} of ${lines} lines were dropped`);

  // The reader comes back: what was buffered is written, then one line says how many were lost.
  read();
  for (const start = performance.now(); !text.includes('"msg":"log lines dropped: the log output was not being read"'); ) {
    assert.ok(performance.now() - start < 10_000, 'no line reported the dropped lines once the output drained');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const report = JSON.parse(
    text.split('\n').find((line) => line.includes('"msg":"log lines dropped: the log output was not being read"')) as string,
  );
  assert.equal(report.dropped, dropped);
  assert.equal(report.level, 40);
});

test('lines logged in separate ticks leave in one write, and a lone line is still written without close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-log-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const chunks: string[] = [];
  const reader = createReadStream(fifo, { encoding: 'utf8' }).on('data', (chunk) => chunks.push(chunk as string));
  const output = createLogOutput({ level: 'info', replica: 'r', section: 'chocolates', fd: openSync(fifo, 'r+') });
  t.after(async () => {
    await output.close();
    reader.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  // A replica at part load: one request line per event-loop turn.
  for (let i = 0; i < 3; i++) {
    output.log.info({ i }, 'request');
    await new Promise((resolve) => setImmediate(resolve));
  }
  // No close(): only the periodic flush can write them, the batch being far from full.
  for (const start = performance.now(); chunks.join('').split('\n').length < 4; ) {
    assert.ok(performance.now() - start < 10_000, `the lines were not written without close: ${JSON.stringify(chunks)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(chunks.length, 1, `the 3 lines came in ${chunks.length} writes`);
});

const started: SpawnedServer[] = [];
after(() => {
  for (const server of started) server.kill();
});

test('a replica whose stdout nobody reads keeps answering, and counts the log lines it drops on /metrics', async () => {
  const server = await spawnServer();
  started.push(server);
  // The test stops reading the replica's stdout: the pipe fills, as with a stuck log collector.
  server.child.stdout!.pause();
  // 404s with a long path: ~330-byte lines (the path is cut to 128 characters), ~6.6 MB for 20,000 requests.
  const load = await autocannon({ url: `${server.url}/chocolates/items/${'x'.repeat(200)}`, connections: 20, amount: 20_000 });
  assert.equal(load.errors, 0);
  assert.equal(load['4xx'], 20_000);

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^# TYPE log_lines_dropped_total counter$/m);
  const dropped = Number(/^log_lines_dropped_total (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(dropped > 5_000, `log_lines_dropped_total is ${dropped}`);

  server.child.stdout!.resume();
  const report = await server.waitForLine((l) => l.msg === 'log lines dropped: the log output was not being read');
  assert.ok((report.dropped as number) >= dropped, `the report says ${report.dropped}, /metrics said ${dropped}`);
});
