import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

import { ephemeralPort } from '../../tools/lib/process/ports.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const TSC = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

// The container image runs the compiled output (`node service/build/server.js`), not the .ts source: check that
// the build emits runnable ESM (relative `.ts` imports rewritten to `.js`). Built into a temp dir so the
// test never touches service/build.
let outDir = '';
after(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

test('the compiled service (build:service) starts, answers and drains on SIGTERM with plain node', async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sweetshop-build-'));
  await promisify(execFile)(TSC, ['-p', 'service/tsconfig.build.json', '--outDir', outDir], { cwd: REPO_ROOT });
  assert.ok((await readdir(outDir)).includes('server.js'));
  // Packages resolve from the file's own directory upwards, as they do from /app/service/build in the image.
  await symlink(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'));

  const port = await ephemeralPort();
  const child = spawn(process.execPath, [join(outDir, 'server.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', SHOP_SECTION: 'cakes', REPLICA_ID: 'built' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    for (let attempt = 0; !stdout.includes('"msg":"listening"'); attempt++) {
      assert.ok(attempt < 150 && child.exitCode === null, `compiled server did not start: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const res = await fetch(`http://127.0.0.1:${port}/cakes`, { headers: { connection: 'close' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-served-by'), 'built');
    await res.arrayBuffer();
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
