import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { freePort, readCpuSeconds, readRssMiB, startServer } from '../../tools/bench/processes.ts';

describe('bench process helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('startServer waits for the ready path, reports the pid, and stop() ends the process', async () => {
    const port = await freePort();
    const script = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";
    const server = await startServer({ name: 'tiny', command: process.execPath, args: ['-e', script], env: { PORT: String(port) }, port, readyPath: '/', logFile: join(dir, 'tiny.log') });
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      assert.equal(await (await fetch(server.url)).text(), 'ok');
      assert.ok(readRssMiB(server.pid) > 1, 'RSS in MiB from /proc');
      assert.ok(readRssMiB(server.pid, 'VmHWM') >= readRssMiB(server.pid) - 1);
      assert.ok(readCpuSeconds(server.pid) >= 0);
    } finally {
      await server.stop();
    }
    await assert.rejects(fetch(server.url));
  });

  test('when the server exits before it is ready, then the error names it, the exit code and its log', async () => {
    const port = await freePort();
    await assert.rejects(
      startServer({ name: 'broken', command: process.execPath, args: ['-e', 'process.exit(3)'], env: {}, port, readyPath: '/', logFile: join(dir, 'broken.log') }),
      { message: `broken exited with code 3 before it was ready (log: ${join(dir, 'broken.log')})` },
    );
  });

  test('when the command does not exist, then the error says it could not start', async () => {
    const port = await freePort();
    await assert.rejects(
      startServer({ name: 'ghost', command: join(dir, 'no-such-binary'), args: [], env: {}, port, readyPath: '/', logFile: join(dir, 'ghost.log') }),
      /ghost could not start: spawn .*no-such-binary ENOENT before it was ready/,
    );
  });
});
