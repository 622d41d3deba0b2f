import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';

import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

/** True when something accepts TCP connections on the loopback port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// npm runs a script through `sh -c`, and sh does not pass npm's SIGTERM on: without `exec` in the serve
// script, node would keep serving as an orphan after the documented start command is stopped.
test('when npm run serve is sent SIGTERM, then the replica drains, exits 0 and frees its port', async (t) => {
  const port = await ephemeralPort();
  const npm = spawn('npm', ['run', '--silent', 'serve'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SHOP_SECTION: 'candies', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so cleanup also reaches a node that outlived npm
  });
  t.after(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  });
  let stdout = '';
  npm.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 20 s; stdout: ${stdout}`)), 20_000);
    npm.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!stdout.includes('"msg":"listening"')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  assert.equal(await isListening(port), true);

  const exited = once(npm, 'exit');
  npm.kill('SIGTERM');
  const code = await Promise.race([
    exited.then(([exitCode]) => exitCode as number | null),
    new Promise<string>((resolve) => setTimeout(() => resolve('still running 15 s after SIGTERM'), 15_000).unref()),
  ]);

  assert.equal(code, 0);
  assert.match(stdout, /shutdown: all connections closed, exiting/);
  assert.equal(await isListening(port), false, 'node kept serving after npm exited');
});
