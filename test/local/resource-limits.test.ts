// Local mode holds each replica to its container's resources.limits as the kubelet does: the CPU limit
// as a CFS quota, the memory limit as a memory cgroup whose OOM kill restarts the replica (counted,
// shown by status). The cgroup checks run wherever this machine lets the test write cgroups.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { parseAllDocuments, stringify } from 'yaml';

import type { LocalShop } from '../../tools/local/shop/shop.ts';
import { findCgroupHierarchy, ReplicaCgroup, readContainerLimits } from '../../tools/local/supervisor/resource-limits.ts';
import { skipWhen } from '../support/system-tool.ts';
import { FIXTURES, startTestShop } from './support/test-shop.ts';

const MiB = 2 ** 20;

test("a container's limits in base units; a limit left out is not enforced", () => {
  assert.deepEqual(readContainerLimits({ limits: { cpu: '500m', memory: '320Mi' }, requests: { cpu: '50m' } }), {
    cpuCores: 0.5,
    memoryBytes: 320 * MiB,
  });
  assert.deepEqual(readContainerLimits({ requests: { cpu: '50m' } }), {});
  assert.deepEqual(readContainerLimits(undefined), {});
});

test('the hierarchy is read from /proc/self/cgroup: v1 cpu and memory mounts (the process own paths), v2, or why there is none', () => {
  const v1 = '12:memory:/process_api/abc\n4:cpu,cpuacct:/\n0::/\n';
  assert.deepEqual(findCgroupHierarchy(v1, '/sys/fs/cgroup'), {
    version: 1,
    cpuDir: '/sys/fs/cgroup/cpu,cpuacct/',
    memoryDir: '/sys/fs/cgroup/memory/process_api/abc',
  });
  const root = mkdtempSync(join(tmpdir(), 'sweetshop-cgroup2-'));
  try {
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    assert.deepEqual(findCgroupHierarchy('0::/user.slice/shop\n', root), { version: 2, dir: join(root, 'user.slice/shop') });
    writeFileSync(join(root, 'cgroup.controllers'), 'pids\n');
    assert.equal(findCgroupHierarchy('0::/user.slice/shop\n', root), 'cgroup v2 without the cpu and memory controllers');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.equal(findCgroupHierarchy('', '/nonexistent'), 'no cgroup v1 cpu and memory hierarchies and no cgroup v2');
});

/** Why this machine cannot hold replicas to limits (no writable cgroups), or undefined. */
function cgroupProblem(): string | undefined {
  const hierarchy = findCgroupHierarchy(readFileSync('/proc/self/cgroup', 'utf8'));
  if (typeof hierarchy === 'string') return `cgroups: ${hierarchy}`;
  try {
    ReplicaCgroup.create(hierarchy, `${process.pid}-probe`, {}).remove();
    return undefined;
  } catch (error) {
    return `cgroups cannot be written here (${(error as Error).message}): run the tests as root on a machine with cgroups`;
  }
}

/** The chocolates-only fixture with the given limits on its service container, in a folder of its own. */
function limitedManifests(limits: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-limits-'));
  const docs = parseAllDocuments(readFileSync(join(FIXTURES, 'chocolates-only', 'shop.k8s.yaml'), 'utf8')).map((doc) => doc.toJS());
  for (const doc of docs.filter((each) => each?.kind === 'Deployment')) {
    doc.spec.template.spec.containers[0].resources = { limits, requests: { cpu: '50m' } };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'shop.k8s.yaml'), docs.map((doc) => stringify(doc)).join('---\n'));
  return dir;
}

/** The cgroup paths of a process, by controller (`cpu,cpuacct` -> its path). */
function cgroupsOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(':'))
      .map(([, controllers = '', ...path]) => [controllers, path.join(':')]),
  );
}

const memoryPath = (pid: number) => Object.entries(cgroupsOf(pid)).find(([controllers]) => controllers.split(',').includes('memory'))?.[1];
const cpuPath = (pid: number) => Object.entries(cgroupsOf(pid)).find(([controllers]) => controllers.split(',').includes('cpu'))?.[1];

describe('replicas inside their limits (cgroups)', { skip: skipWhen(cgroupProblem(), 'cgroups can be written') }, () => {
  const dirs: string[] = [];
  let limited: LocalShop;
  let unlimited: LocalShop;

  before(async () => {
    const dir = limitedManifests({ cpu: '250m', memory: '256Mi' });
    dirs.push(dir);
    limited = await startTestShop({ manifestsDir: dir });
    unlimited = await startTestShop({ manifestsDir: dir, resourceLimits: false });
  });
  after(async () => {
    await Promise.all([limited?.stop(), unlimited?.stop()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('each replica runs in a cgroup of its own with the CFS quota and memory limit of its manifest; with limits off, in none', () => {
    const hierarchy = findCgroupHierarchy(readFileSync('/proc/self/cgroup', 'utf8'));
    assert.ok(typeof hierarchy !== 'string' && hierarchy.version === 1, 'this test reads cgroup v1 files');
    for (const replica of limited.replicas) {
      const cpu = join('/sys/fs/cgroup/cpu', cpuPath(replica.pid)!);
      const memory = join('/sys/fs/cgroup/memory', memoryPath(replica.pid)!);
      assert.match(cpu, /sweetshop-local\/\d+-chocolates-/);
      assert.equal(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim(), '25000', '250m of each 100 ms period');
      assert.equal(readFileSync(join(cpu, 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
      assert.equal(Number(readFileSync(join(memory, 'memory.limit_in_bytes'), 'utf8')), 256 * MiB);
    }
    // Broken twin: the same manifests with limits off leave the replicas in the supervisor's own cgroups.
    for (const replica of unlimited.replicas) {
      assert.equal(memoryPath(replica.pid), memoryPath(process.pid));
      assert.equal(cpuPath(replica.pid), cpuPath(process.pid));
    }
  });

  test('a replica that passes its memory limit is OOM-killed by the kernel and restarted: restarts 1, last OOMKilled, ready again', async () => {
    const [victim] = limited.replicas;
    assert.ok(victim);
    const memory = join('/sys/fs/cgroup/memory', memoryPath(victim.pid)!);
    // The kernel kills the process with the highest badness in the cgroup: make that the replica, then
    // let a second process in its cgroup allocate past the limit (as the replica's own heap would).
    writeFileSync(`/proc/${victim.pid}/oom_score_adj`, '1000');
    const hog = spawn(process.execPath, ['-e', 'const b=[];for(let i=0;i<230;i++)b.push(Buffer.alloc(1<<20,1));setTimeout(()=>{},3000)'], {
      stdio: 'ignore',
    });
    writeFileSync(join(memory, 'cgroup.procs'), String(hog.pid));
    const deadline = Date.now() + 30_000;
    let restarted = limited.replicas.find((r) => r.id === victim.id);
    while (Date.now() < deadline && !(restarted && restarted.restarts === 1 && restarted.ready && restarted.pid !== victim.pid)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      restarted = limited.replicas.find((r) => r.id === victim.id);
    }
    hog.kill('SIGKILL');
    // The replica's old cgroup held the hog too, so it could not be removed when the replica exited.
    if (hog.exitCode === null && hog.signalCode === null) await new Promise((resolve) => hog.once('exit', resolve));
    if (existsSync(memory)) rmdirSync(memory);
    assert.ok(restarted, 'the replica is still listed under its name');
    assert.notEqual(restarted.pid, victim.pid, 'a new process');
    assert.equal(restarted.restarts, 1);
    assert.equal(restarted.lastTerminationReason, 'OOMKilled');
    assert.equal(restarted.ready, true);
    const response = await fetch(`${limited.url}/chocolates`);
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  });
});
