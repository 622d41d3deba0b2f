// One measured run through a local shop, as `npm run bench:scale-out` and the bench's scaling tables take it:
// autocannon in a child process (so the CPU this process uses is the supervisor's alone), and for every process
// in the request path the CPU time (utime + stime) it spent, divided by the responses: a per-request cost that a
// shared, loaded machine distorts far less than req/s. It also counts the TCP connections each hop opened and
// how busy the whole machine was, so a table can tell "did not scale" from "no CPU left to scale into".
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

import { cpuSeconds } from '../../lib/process/process-identity.mjs';
import type { LocalAlgorithm } from '../../local/nginx/balance.ts';
import type { LocalShop } from '../../local/shop/shop.ts';
import type { LoadResult, ScaleOutRole } from '../../measure/results.ts';
import { SECTION } from '../bench-shop.ts';

export const SCALE_OUT_ROLES: readonly ScaleOutRole[] = ['front', 'balancer', 'replicas', 'supervisor'];
const execFileAsync = promisify(execFile);

/** What one autocannon run reports, as the bench's load results name it. */
type AutocannonResult = Pick<LoadResult, 'rps' | 'p50Ms' | 'p99Ms' | 'requests' | 'errors' | 'non2xx'>;

export interface ScaleOutRun extends AutocannonResult {
  balance: LocalAlgorithm;
  replicas: number;
  round: number;
  /** CPU microseconds per response, by role. */
  cpuUsPerRequest: Record<ScaleOutRole, number>;
  /** read- and write-type system calls (/proc/<pid>/io syscr + syscw) per response, by role. */
  ioCallsPerRequest: Record<ScaleOutRole, number>;
  /** Context switches (voluntary + involuntary, every thread) per response, by role. */
  switchesPerRequest: Record<ScaleOutRole, number>;
  /** TCP connections opened per 1000 responses, by hop (towards the balancer, towards the replicas). */
  connectsPer1k: { balancer: number; replicas: number };
  /** Cores the section's replicas used. */
  replicaCores: number;
  /** Cores busy on the whole machine (/proc/stat: everything but idle and iowait, steal included). */
  machineBusyCores: number;
}

export interface RunLoad {
  connections: number;
  durationSec: number;
  /** Offer at most this many req/s in total (an open loop) instead of a closed loop at full speed. */
  rate?: number;
}

/**
 * Load the shop's section for `seconds`, unmeasured: V8 compiles the hot paths on threads that share the replica's
 * CPU quota, so a replica held to a small limit takes tens of seconds to reach its steady rate.
 */
export async function warmUp(shop: LocalShop, load: RunLoad, seconds: number): Promise<void> {
  await autocannon(`${shop.url}/${SECTION}`, { ...load, durationSec: seconds });
}

/** A 2 s warm-up (connection pools, the JIT of an unlimited replica), then one measured run of `load` against the shop's section. */
export async function measureScaleOutRun(
  shop: LocalShop,
  load: RunLoad,
  at: { balance: LocalAlgorithm; replicas: number; round: number },
): Promise<ScaleOutRun> {
  await warmUp(shop, load, 2);
  const pids = rolePids(shop);
  const hops = hopPorts(shop);
  const connectsBefore = await connectionSnapshot(hops);
  const machineBefore = machineTicks();
  const cpuBefore = roleCounters(pids);
  const result = await autocannon(`${shop.url}/${SECTION}`, load);
  const cpuAfter = roleCounters(pids);
  const machineAfter = machineTicks();
  const connectsAfter = await connectionSnapshot(hops);
  const responses = Math.max(result.requests, 1);
  const used = (role: ScaleOutRole, field: keyof Counters): number => cpuAfter[role][field] - cpuBefore[role][field];
  const byRole = (field: keyof Counters): Record<ScaleOutRole, number> =>
    Object.fromEntries(
      SCALE_OUT_ROLES.map((role) => {
        const amount = used(role, field);
        return [role, round1((field === 'cpuSeconds' ? amount * 1e6 : amount) / responses)];
      }),
    ) as Record<ScaleOutRole, number>;
  const per1k = (n: number): number => round1((n / responses) * 1000);
  const elapsedTicks = (machineAfter.total - machineBefore.total) / machineAfter.cpus;
  return {
    ...at,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    requests: result.requests,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuUsPerRequest: byRole('cpuSeconds'),
    ioCallsPerRequest: byRole('ioCalls'),
    switchesPerRequest: byRole('switches'),
    connectsPer1k: {
      balancer: per1k(opened(connectsBefore.balancer, connectsAfter.balancer)),
      replicas: per1k(opened(connectsBefore.replicas, connectsAfter.replicas)),
    },
    replicaCores: round3(used('replicas', 'cpuSeconds') / load.durationSec),
    machineBusyCores: round3(elapsedTicks > 0 ? (machineAfter.busy - machineBefore.busy) / elapsedTicks : 0),
  };
}

/** Every process of each role: nginx masters and their workers, the section's replicas, this process. */
function rolePids(shop: LocalShop): Record<ScaleOutRole, number[]> {
  const pids: Record<ScaleOutRole, number[]> = { front: [], balancer: [], replicas: [], supervisor: [process.pid] };
  pids.replicas.push(...shop.replicas.filter((r) => r.section === SECTION).map((r) => r.pid));
  for (const nginx of shopNginx(shop)) pids[nginx.role].push(nginx.pid, ...childrenOf(nginx.pid));
  return pids;
}

/**
 * The shop's nginx masters, read from this process's children: nginx rewrites its command line to
 * `nginx: master process <binary> -p <prefix> ... -c <conf>`, and local mode names the prefixes front and balancer.
 * Several shops run at once: a shop's front (or its only nginx) listens on the shop's port, its balancer
 * sits in the same temp directory.
 */
function shopNginx(shop: LocalShop): { role: 'front' | 'balancer'; pid: number; conf: string }[] {
  const masters = childrenOf(process.pid).flatMap((pid) => {
    const match = /^nginx: master process .* -p (\S+?)\/?(front|balancer) .*-c (\S+)/.exec(readCmdline(pid));
    return match ? [{ pid, dir: match[1]!, role: match[2] as 'front' | 'balancer', conf: readFileSync(match[3]!, 'utf8') }] : [];
  });
  const entry = masters.find((m) => m.conf.includes(`listen 127.0.0.1:${shop.port};`));
  if (!entry) throw new Error(`no nginx of this process listens on port ${shop.port}`);
  return masters.filter((m) => m.dir === entry.dir).map(({ role, pid, conf }) => ({ role, pid, conf }));
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) children.push(...text.split(/\s+/).map(Number));
  }
  return children;
}

interface Counters {
  cpuSeconds: number;
  ioCalls: number;
  switches: number;
}

function roleCounters(pids: Record<ScaleOutRole, number[]>): Record<ScaleOutRole, Counters> {
  const sum = (list: number[]): Counters =>
    list
      .map(countersOf)
      .reduce((a, b) => ({ cpuSeconds: a.cpuSeconds + b.cpuSeconds, ioCalls: a.ioCalls + b.ioCalls, switches: a.switches + b.switches }), {
        cpuSeconds: 0,
        ioCalls: 0,
        switches: 0,
      });
  return Object.fromEntries(SCALE_OUT_ROLES.map((role) => [role, sum(pids[role])])) as Record<ScaleOutRole, Counters>;
}

/** CPU (utime + stime, local mode's one parser of /proc/<pid>/stat), system calls and context switches; zeros once gone. */
function countersOf(pid: number): Counters {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    let switches = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      switches += field(status, 'voluntary_ctxt_switches') + field(status, 'nonvoluntary_ctxt_switches');
    }
    return { cpuSeconds: cpuSeconds(pid) ?? 0, ioCalls: field(io, 'syscr') + field(io, 'syscw'), switches };
  } catch {
    return { cpuSeconds: 0, ioCalls: 0, switches: 0 };
  }
}

/**
 * The machine's CPU ticks so far, all CPUs summed, from /proc/stat's first line
 * ("cpu user nice system idle iowait irq softirq steal ..."): busy is everything but idle and iowait.
 */
export function machineTicks(stat = readFileSync('/proc/stat', 'utf8')): { total: number; busy: number; cpus: number } {
  const lines = stat.split('\n');
  const fields = lines[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const cpus = lines.filter((line) => /^cpu\d+ /.test(line)).length;
  return { total, busy: total - fields[3]! - fields[4]!, cpus: Math.max(cpus, 1) };
}

interface HopPorts {
  /** Where the front connects to (undefined with one hop). */
  balancer: number | undefined;
  replicas: number[];
}

function hopPorts(shop: LocalShop): HopPorts {
  const replicas = shop.replicas.filter((r) => r.section === SECTION).map((r) => r.port);
  const front = shopNginx(shop).find((n) => n.role === 'front');
  const balancer = front?.conf.match(/server 127\.0\.0\.1:(\d+)/)?.[1];
  return { balancer: balancer === undefined ? undefined : Number(balancer), replicas };
}

/**
 * The client-side connections towards each hop the kernel shows (established, or closed and in TIME-WAIT
 * for 60 s), by 4-tuple. The ones present after a run and not before it are connections the run opened.
 */
async function connectionSnapshot(hops: HopPorts): Promise<{ balancer: Set<string>; replicas: Set<string> }> {
  const { stdout } = await execFileAsync('ss', ['-Htn', 'state', 'established', 'state', 'time-wait'], { maxBuffer: 64 * 1024 * 1024 });
  const balancer = new Set<string>();
  const replicas = new Set<string>();
  const replicaPorts = new Set(hops.replicas);
  for (const line of stdout.split('\n')) {
    // Recv-Q Send-Q Local Peer (with two states, ss prints the state first)
    const parts = line.trim().split(/\s+/);
    if (parts.length < 4) continue;
    const [local, peer] = parts.slice(-2) as [string, string];
    const peerPort = Number(peer.split(':').pop());
    const key = `${parts[0]} ${local} ${peer}`;
    if (hops.balancer !== undefined && peerPort === hops.balancer) balancer.add(key);
    if (replicaPorts.has(peerPort)) replicas.add(key);
  }
  return { balancer, replicas };
}

function opened(before: Set<string>, after: Set<string>): number {
  const seen = new Set([...before].map((key) => key.slice(key.indexOf(' ') + 1)));
  return [...after].filter((key) => !seen.has(key.slice(key.indexOf(' ') + 1))).length;
}

async function autocannon(url: string, { connections, durationSec, rate }: RunLoad): Promise<AutocannonResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const rateArgs = rate === undefined ? [] : ['--overallRate', String(rate)];
  const { stdout } = await execFileAsync(
    process.execPath,
    [bin, '-j', '-c', String(connections), '-d', String(durationSec), ...rateArgs, url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  } & Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
  return {
    rps: round1(json.requests.average),
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    requests: json['1xx'] + json['2xx'] + json['3xx'] + json['4xx'] + json['5xx'],
    errors: json.errors,
    non2xx: json.non2xx,
  };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const round3 = (value: number): number => Math.round(value * 1000) / 1000;
