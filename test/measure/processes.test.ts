import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { identify } from '../../tools/lib/process/process-identity.mjs';
import { readCpuSeconds, readRssMiB, sampleRss, startServer } from '../../tools/measure/processes.ts';

describe('measurement process helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('startServer waits for the ready path, reports the pid, and stop() ends the process', async () => {
    const port = await ephemeralPort();
    const script = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";
    const server = await startServer({
      name: 'tiny',
      command: process.execPath,
      args: ['-e', script],
      env: { PORT: String(port) },
      port,
      readyPath: '/',
      logFile: join(dir, 'tiny.log'),
    });
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      assert.equal(await (await fetch(server.url)).text(), 'ok');
      assert.ok(readRssMiB(server.pid) > 1, 'RSS in MiB from /proc');
      assert.ok(readRssMiB(server.pid, 'VmHWM') >= readRssMiB(server.pid) - 1);
      assert.ok(readCpuSeconds(server.pid) >= 0);
      const sampled = await sampleRss(server.pid, () => new Promise((resolve) => setTimeout(() => resolve('done'), 450)), 100);
      assert.equal(sampled.value, 'done');
      assert.ok(sampled.samplesMiB.length >= 4, `samples every 100 ms plus one at the end: ${sampled.samplesMiB.length}`);
      assert.ok(sampled.samplesMiB.every((mib) => mib > 1));
    } finally {
      await server.stop();
    }
    await assert.rejects(fetch(server.url));
  });

  test('when the program exits without stop(), then the server does not outlive it', async () => {
    const port = await ephemeralPort();
    const processes = fileURLToPath(new URL('../../tools/measure/processes.ts', import.meta.url));
    const program = [
      `import { startServer } from ${JSON.stringify(processes)};`,
      "const script = \"require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')\";",
      `const server = await startServer({ name: 'orphan', command: process.execPath, args: ['-e', script], env: { PORT: '${port}' }, port: ${port}, readyPath: '/', logFile: ${JSON.stringify(join(dir, 'orphan.log'))} });`,
      'console.log(server.pid);',
      'process.exit(0);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const pid = Number(run.stdout.trim());
    assert.ok(pid > 0, run.stdout);
    // SIGKILL lands shortly after kill() returns: poll briefly rather than read /proc once.
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(isAlive(pid), false, `server pid ${pid} outlived the program`);
  });

  test('when the server exits before it is ready, then the error names it, the exit code and its log', async () => {
    const port = await ephemeralPort();
    await assert.rejects(
      startServer({
        name: 'broken',
        command: process.execPath,
        args: ['-e', 'process.exit(3)'],
        env: {},
        port,
        readyPath: '/',
        logFile: join(dir, 'broken.log'),
      }),
      { message: `broken exited with code 3 before it was ready (log: ${join(dir, 'broken.log')})` },
    );
  });

  test('when the command does not exist, then the error says it could not start', async () => {
    const port = await ephemeralPort();
    await assert.rejects(
      startServer({
        name: 'ghost',
        command: join(dir, 'no-such-binary'),
        args: [],
        env: {},
        port,
        readyPath: '/',
        logFile: join(dir, 'ghost.log'),
      }),
      /ghost could not start: spawn .*no-such-binary ENOENT before it was ready/,
    );
  });
});

/** True while the process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  return identify(pid) !== undefined;
}
