import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { bootId, identify, isSameProcess, killIfSame } from '../../tools/lib/process/process-identity.mjs';
import { ProcessGuard } from '../../tools/local/supervisor/process-guard.ts';
import { describeLeftovers, stopLeftovers } from '../../tools/local/supervisor/process-record.ts';
import { removeShopTempDir } from '../../tools/local/supervisor/shop-temp-dir.mjs';
import { StateLock } from '../../tools/local/supervisor/state-lock.ts';
import { childrenWithCommand, eventuallyEmpty, isRunning } from './support/processes.ts';

// A process that does nothing for a minute, in its own group like the shop's replicas.
function idleProcess() {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { detached: true, stdio: 'ignore' });
}

describe('process identity: pid and start time', () => {
  test('a recorded process is killed (with its group) only while pid and start time both match', async () => {
    const child = idleProcess();
    const identity = identify(child.pid!)!;
    assert.ok(isSameProcess(identity));
    // The same pid with another start time is what a reused pid looks like: never killed.
    assert.equal(killIfSame({ pid: identity.pid, startTime: identity.startTime + 1 }), false);
    assert.ok(isRunning(child.pid!));
    assert.equal(killIfSame(identity), true);
    assert.deepEqual(await eventuallyEmpty(() => [child.pid!].filter(isRunning)), []);
    assert.equal(isSameProcess(identity), false);
  });

  test('init and this process are never killed, whatever a record says', () => {
    assert.equal(killIfSame(identify(1) ?? { pid: 1, startTime: 0 }), false);
    assert.equal(killIfSame(identify(process.pid)!), false);
  });
});

describe('stopLeftovers (the process record of a killed run)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-process-guard-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const record = (name: string, content: unknown): string => {
    const file = join(work, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  test('a dead supervisor: what it left is killed, named in one line, and the record removed', async () => {
    const left = [idleProcess(), idleProcess()];
    // A pid no process has (beyond pid_max), standing for a supervisor that was killed.
    const supervisor = { pid: 4_194_305, startTime: 1 };
    const processes = left.map((child, i) => ({ ...identify(child.pid!)!, kind: i === 0 ? 'nginx' : 'replica' }));
    const file = record('dead.json', { bootId: bootId(), supervisor, processes });
    const leftovers = await stopLeftovers(file);
    assert.equal(
      describeLeftovers(leftovers!),
      `stopped 2 processes left by a killed run (pid 4194305): nginx ${left[0]!.pid}; replicas ${left[1]!.pid}`,
    );
    assert.deepEqual(left.map((c) => c.pid!).filter(isRunning), []);
    assert.equal(existsSync(file), false);
  });

  test('a supervisor that still runs: refused, nothing killed, record kept', async () => {
    const child = idleProcess();
    after(() => child.kill('SIGKILL'));
    const processes = [{ ...identify(child.pid!)!, kind: 'replica' }];
    const file = record('alive.json', { bootId: bootId(), supervisor: identify(process.pid), processes });
    await assert.rejects(stopLeftovers(file), /^Error: a local shop is already running or starting \(pid \d+, recorded in .*alive\.json\)/);
    assert.ok(isRunning(child.pid!));
    assert.ok(existsSync(file));
  });

  test('a record from another boot is dropped without killing anything; a damaged one is a clear error', async () => {
    const child = idleProcess();
    after(() => child.kill('SIGKILL'));
    const processes = [{ ...identify(child.pid!)!, kind: 'replica' }];
    const file = record('old-boot.json', { bootId: 'another-boot', supervisor: { pid: 4_194_305, startTime: 1 }, processes });
    assert.equal(await stopLeftovers(file), undefined);
    assert.ok(isRunning(child.pid!));
    assert.equal(existsSync(file), false);
    await assert.rejects(
      stopLeftovers(record('damaged.json', '{"bootId":')),
      /damaged\.json is not a local shop process record; remove it/,
    );
    assert.equal(await stopLeftovers(join(work, 'none.json')), undefined);
  });
});

describe('ProcessGuard', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-process-guard-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('records what it watches, forgets what exits; close() removes the record and resolves once the watchdog has exited', async () => {
    const file = join(work, 'processes.json');
    const lost: string[] = [];
    const guard = await ProcessGuard.start(file, (message) => lost.push(message));
    const child = idleProcess();
    guard.watch(child, 'replica');
    const kinds = (): string[] =>
      (JSON.parse(readFileSync(file, 'utf8')) as { processes: Array<{ kind: string }> }).processes.map((p) => p.kind);
    assert.deepEqual(kinds().sort(), ['replica', 'watchdog']);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.deepEqual(kinds(), ['watchdog']);
    const watchdogs = childrenWithCommand(process.pid, 'watchdog');
    assert.equal(watchdogs.length, 1);
    await guard.close();
    assert.equal(existsSync(file), false);
    // stop() callers (the CLI, tests counting processes) rely on nothing of the shop running once it resolves.
    assert.deepEqual(watchdogs.filter(isRunning), [], 'the watchdog still runs after close() resolved');
    assert.deepEqual(lost, []);
  });
});

test('ProcessGuard: a record that can no longer be written is reported once, not thrown from an exit listener', async () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-process-guard-gone-'));
  const lost: string[] = [];
  const guard = await ProcessGuard.start(join(work, 'processes.json'), (message) => lost.push(message));
  try {
    rmSync(work, { recursive: true, force: true }); // the state directory deleted under a running shop
    const children = [idleProcess(), idleProcess()];
    for (const child of children) guard.watch(child, 'replica');
    for (const child of children) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    assert.equal(lost.length, 1, lost.join('\n'));
    assert.match(lost[0]!, /^cannot update the process record .*processes\.json \(ENOENT/);
  } finally {
    await guard.close();
  }
});

describe('StateLock (one shop per process record)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-state-lock-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const LOCK = new URL('../../tools/local/supervisor/state-lock.ts', import.meta.url).href;

  test('a second acquire is refused naming the holder; after release the record can be locked again', async () => {
    const file = join(work, 'processes.json');
    const lock = await StateLock.acquire(file);
    await assert.rejects(
      StateLock.acquire(file),
      new RegExp(`^Error: a local shop is already running or starting \\(pid ${process.pid}, holding ${file}\\)`),
    );
    // The same record through a symlinked directory is the same lock.
    symlinkSync(work, join(work, 'link'));
    await assert.rejects(StateLock.acquire(join(work, 'link', 'processes.json')), /already running or starting/);
    await lock.release();
    await (await StateLock.acquire(file)).release();
  });

  test('a holder killed with -9 leaves no stale lock: the next acquire succeeds at once', async () => {
    const file = join(work, 'killed.json');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { StateLock } = await import(${JSON.stringify(LOCK)}); await StateLock.acquire(process.argv[1]); console.log('locked'); setInterval(() => {}, 60_000);`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    after(() => holder.kill('SIGKILL'));
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    await assert.rejects(StateLock.acquire(file), new RegExp(`\\(pid ${holder.pid}, holding `));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    await (await StateLock.acquire(file)).release();
  });
});

describe('removeShopTempDir (what the watchdog and the next start remove)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sweetshop-temp-dir-test-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('removes a directory named as makeShopTempDir() names them, and nothing else a record could name', () => {
    const shopDir = join(work, 'sweetshop-local-AbC123');
    mkdirSync(join(shopDir, 'balancer', 'logs'), { recursive: true });
    const other = join(work, 'precious');
    mkdirSync(other);
    const link = join(work, 'sweetshop-local-link99');
    symlinkSync(other, link);
    for (const dir of [other, link, 'sweetshop-local-AbC123', join(work, 'sweetshop-local-AbC123-extra'), '/']) {
      assert.equal(removeShopTempDir(dir), false, dir);
    }
    assert.ok(existsSync(other) && existsSync(link));
    assert.equal(removeShopTempDir(shopDir), true);
    assert.equal(existsSync(shopDir), false);
    assert.equal(removeShopTempDir(shopDir), false, 'already gone');
  });

  test('a record of a killed run: its temp directory goes with its processes, and is named in the line', async () => {
    const shopDir = join(work, 'sweetshop-local-Xyz789');
    mkdirSync(shopDir);
    const file = join(work, 'record.json');
    const record = { bootId: bootId(), supervisor: { pid: 4_194_305, startTime: 1 }, processes: [], tempDirs: [shopDir, join(work)] };
    writeFileSync(file, JSON.stringify(record));
    const leftovers = await stopLeftovers(file);
    assert.deepEqual(leftovers!.removedDirs, [shopDir]);
    assert.equal(existsSync(shopDir), false);
    assert.ok(existsSync(work), 'a directory of another name is left alone');
    assert.equal(describeLeftovers(leftovers!), `removed the temp directory ${shopDir} left by a killed run (pid 4194305)`);
    assert.equal(describeLeftovers({ ...leftovers!, removedDirs: [] }), undefined, 'nothing left: nothing to say');
  });
});
