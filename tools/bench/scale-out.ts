// `npm run bench:scale-out`: does adding replicas behind local mode's nginx add capacity? One local shop per
// replica count, all running at once, measured in interleaved rounds (1, 2, 3, 1, 2, 3, ...) with autocannon in
// a child process, so the CPU this process uses is the supervisor's alone. For every run it reads the CPU time
// (utime + stime) of each process in the path and divides it by the responses: a per-request cost that a
// shared, loaded machine distorts far less than req/s. It also counts the TCP connections each hop opened.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environmentNamed } from '../../config/index.ts';
import { parseQuantity } from '../../config/quantity.ts';
import { randomReplicaBasePort } from '../lib/process/ports.ts';
import { type LocalShop, startLocalShop } from '../local/shop/shop.ts';
import { buildService } from '../measure/replica.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';
import { COMPILED_SERVICE, SECTION, withCpuLimit } from './bench-shop.ts';

const MANIFESTS_DIR = join(SCRATCH_DIR, 'manifests-scale-out');
const TICKS_PER_SECOND = 100;
const run = promisify(execFile);

const HELP = `Usage: npm run bench:scale-out [-- options]

  --replicas <list>   replica counts of ${SECTION}, compared with the first (default 1,2,3)
  --rounds <n>        interleaved rounds (default 5); medians are reported
  --duration <s>      seconds per measured run (default 10), after a 2 s warm-up
  --connections <n>   autocannon connections (default 50)
  --rate <n>          offer at most n req/s in total (autocannon --overallRate) instead of a closed loop at full speed
  --replica-env K=V   extra env for the ${SECTION} replicas (repeatable), e.g. LOG_LEVEL=warn to take request logs out
  --one-hop           no stable front: the balancer listens on the shop's port (as the bench's balancing suite)
  --cpu-limit <q>     run each ${SECTION} replica inside this CPU limit (a CFS quota, as the kubelet sets it), e.g.
                      250m, and compare N replicas with N times one; default: no limits, what one replica can do
  --json              print every run as JSON lines too`;

/** A process role in the request path; its CPU is summed over all its processes. */
type Role = 'front' | 'balancer' | 'replicas' | 'supervisor';
const ROLES: readonly Role[] = ['front', 'balancer', 'replicas', 'supervisor'];

interface Run {
  replicas: number;
  round: number;
  rps: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU microseconds per response, by role. */
  cpuUsPerRequest: Record<Role, number>;
  /** read- and write-type system calls (/proc/<pid>/io syscr + syscw) per response, by role. */
  ioCallsPerRequest: Record<Role, number>;
  /** Context switches (voluntary + involuntary, every thread) per response, by role. */
  switchesPerRequest: Record<Role, number>;
  /** TCP connections opened per 1000 responses, by hop (towards the balancer, towards the replicas). */
  connectsPer1k: { balancer: number; replicas: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      replicas: { type: 'string', default: '1,2,3' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      'one-hop': { type: 'boolean', default: false },
      'cpu-limit': { type: 'string' },
      rate: { type: 'string' },
      'replica-env': { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const counts = values.replicas.split(',').map((text) => positiveInteger(text, '--replicas'));
  const rounds = positiveInteger(values.rounds, '--rounds');
  const durationSec = positiveInteger(values.duration, '--duration');
  const connections = positiveInteger(values.connections, '--connections');
  const rate = values.rate === undefined ? undefined : positiveInteger(values.rate, '--rate');
  const replicaEnv = Object.fromEntries(
    values['replica-env'].map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--replica-env ${JSON.stringify(pair)}: expected KEY=VALUE`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const cpuLimit = values['cpu-limit'];
  if (cpuLimit !== undefined && !(parseQuantity(cpuLimit)! > 0)) {
    throw new Error(`--cpu-limit ${JSON.stringify(cpuLimit)}: expected a CPU quantity such as 250m or 0.5`);
  }
  const progress = (message: string): void => console.error(`[scale-out] ${message}`);
  const limitProblems: string[] = [];

  buildService(progress);
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const local = environmentNamed('local');
  synthesizeInto(cpuLimit === undefined ? local : withCpuLimit(local, cpuLimit), MANIFESTS_DIR);
  const shops = new Map<number, LocalShop>();
  try {
    for (const replicas of counts) {
      progress(`starting a local shop with ${replicas} ${SECTION} replica(s)`);
      shops.set(
        replicas,
        await startShop({ replicas, stableFront: !values['one-hop'], env: replicaEnv, limits: cpuLimit !== undefined, limitProblems }),
      );
    }
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      for (const replicas of counts) {
        const shop = shops.get(replicas)!;
        const url = `${shop.url}/${SECTION}`;
        await autocannon(url, connections, 2, rate);
        const measured = await measureRun(shop, url, connections, durationSec, rate);
        const entry: Run = { replicas, round, ...measured };
        runs.push(entry);
        progress(`round ${round}/${rounds}, ${replicas} replica(s): ${describeRun(entry)}`);
        if (values.json) console.log(JSON.stringify(entry));
      }
    }
    console.log(summarize(runs, counts, connections, durationSec, !values['one-hop']));
    if (cpuLimit !== undefined) console.log(scalingVerdict(runs, counts, cpuLimit, limitProblems));
  } finally {
    await Promise.all([...shops.values()].map((shop) => shop.stop()));
  }
}

interface ShopSetup {
  replicas: number;
  stableFront: boolean;
  env: Record<string, string>;
  /** Run the replicas inside their manifests' limits (cgroups); off, they run unlimited. */
  limits: boolean;
  /** Collects why limits could not be applied, so the figures can say they are not what they claim. */
  limitProblems: string[];
}

function startShop({ replicas, stableFront, env, limits, limitProblems }: ShopSetup): Promise<LocalShop> {
  return startLocalShop({
    manifestsDir: MANIFESTS_DIR,
    port: 0,
    stableFront,
    resourceLimits: limits,
    replicas: { [SECTION]: replicas, candies: 1, cakes: 1 },
    serviceCommand: COMPILED_SERVICE,
    basePort: randomReplicaBasePort(),
    replicaEnvFor: (section) => (section === SECTION ? env : undefined),
    // Replica output still goes through this process's pipes and line reader, as in local mode; it is dropped here.
    onEvent: (event) => {
      if (event.type !== 'message' || event.level !== 'warn') return;
      if (event.message.includes('cgroups')) limitProblems.push(event.message);
      console.error(`[scale-out] local shop: ${event.message}`);
    },
  });
}

async function measureRun(
  shop: LocalShop,
  url: string,
  connections: number,
  durationSec: number,
  rate: number | undefined,
): Promise<Omit<Run, 'replicas' | 'round'>> {
  const pids = rolePids(shop);
  const hops = hopPorts(shop);
  const cpuBefore = roleTicks(pids);
  const connectsBefore = await connectionSnapshot(hops);
  const result = await autocannon(url, connections, durationSec, rate);
  const cpuAfter = roleTicks(pids);
  const connectsAfter = await connectionSnapshot(hops);
  const responses = result.requests;
  const perRequest = (role: Role, field: keyof Counters = 'ticks'): number => {
    const used = cpuAfter[role][field] - cpuBefore[role][field];
    return round1((field === 'ticks' ? (used / TICKS_PER_SECOND) * 1e6 : used) / Math.max(responses, 1));
  };
  const byRole = (field: keyof Counters): Record<Role, number> =>
    Object.fromEntries(ROLES.map((role) => [role, perRequest(role, field)])) as Record<Role, number>;
  const per1k = (n: number): number => round1((n / Math.max(responses, 1)) * 1000);
  return {
    rps: result.rps,
    requests: responses,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuUsPerRequest: byRole('ticks'),
    ioCallsPerRequest: byRole('ioCalls'),
    switchesPerRequest: byRole('switches'),
    connectsPer1k: {
      balancer: per1k(opened(connectsBefore.balancer, connectsAfter.balancer)),
      replicas: per1k(opened(connectsBefore.replicas, connectsAfter.replicas)),
    },
  };
}

/** Every process of each role: nginx masters and their workers, the section's replicas, this process. */
function rolePids(shop: LocalShop): Record<Role, number[]> {
  const pids: Record<Role, number[]> = { front: [], balancer: [], replicas: [], supervisor: [process.pid] };
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
  ticks: number;
  ioCalls: number;
  switches: number;
}

function roleTicks(pids: Record<Role, number[]>): Record<Role, Counters> {
  const sum = (list: number[]): Counters =>
    list
      .map(countersOf)
      .reduce((a, b) => ({ ticks: a.ticks + b.ticks, ioCalls: a.ioCalls + b.ioCalls, switches: a.switches + b.switches }), {
        ticks: 0,
        ioCalls: 0,
        switches: 0,
      });
  return Object.fromEntries(ROLES.map((role) => [role, sum(pids[role])])) as Record<Role, Counters>;
}

// utime + stime are fields 14 and 15 of /proc/<pid>/stat, after the parenthesized command name.
function countersOf(pid: number): Counters {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    let switches = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      switches += field(status, 'voluntary_ctxt_switches') + field(status, 'nonvoluntary_ctxt_switches');
    }
    return { ticks: Number(fields[11]) + Number(fields[12]), ioCalls: field(io, 'syscr') + field(io, 'syscw'), switches };
  } catch {
    return { ticks: 0, ioCalls: 0, switches: 0 };
  }
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
  const { stdout } = await run('ss', ['-Htn', 'state', 'established', 'state', 'time-wait'], { maxBuffer: 64 * 1024 * 1024 });
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

interface AutocannonResult {
  rps: number;
  requests: number;
  errors: number;
  non2xx: number;
}

async function autocannon(url: string, connections: number, durationSec: number, rate?: number): Promise<AutocannonResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const { stdout } = await run(
    process.execPath,
    [bin, '-j', '-c', String(connections), '-d', String(durationSec), ...(rate === undefined ? [] : ['--overallRate', String(rate)]), url],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const json = JSON.parse(stdout) as {
    requests: { average: number };
    errors: number;
    non2xx: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  };
  return {
    rps: round1(json.requests.average),
    requests: json['1xx'] + json['2xx'] + json['3xx'] + json['4xx'] + json['5xx'],
    errors: json.errors,
    non2xx: json.non2xx,
  };
}

function describeRun(r: Run): string {
  const cpu = ROLES.map(
    (role) => `${role} ${r.cpuUsPerRequest[role]} (${r.ioCallsPerRequest[role]} io calls, ${r.switchesPerRequest[role]} switches)`,
  ).join(', ');
  return `${r.rps} req/s, ${r.errors} errors, ${r.non2xx} non-2xx; CPU µs/request: ${cpu}; connections opened per 1k requests: balancer ${r.connectsPer1k.balancer}, replicas ${r.connectsPer1k.replicas}`;
}

function summarize(runs: Run[], counts: number[], connections: number, durationSec: number, twoHops: boolean): string {
  const baseline = counts[0]!;
  const med = (replicas: number, pick: (r: Run) => number): number => median(runs.filter((r) => r.replicas === replicas).map(pick));
  const total = (r: Run): number => ROLES.reduce((sum, role) => sum + r.cpuUsPerRequest[role], 0);
  const header = `| Replicas | req/s (median) | × ${baseline} | CPU µs/request: ${ROLES.join(' | ')} | total | × ${baseline} | connects/1k: balancer | replicas |`;
  const rows = counts.map((replicas) => {
    const rps = med(replicas, (r) => r.rps);
    const cpu = ROLES.map((role) => med(replicas, (r) => r.cpuUsPerRequest[role]));
    const sum = med(replicas, total);
    return `| ${replicas} | ${rps} | ${ratio(
      rps,
      med(baseline, (r) => r.rps),
    )} | ${cpu.join(' | ')} | ${round1(sum)} | ${ratio(sum, med(baseline, total))} | ${med(replicas, (r) => r.connectsPer1k.balancer)} | ${med(replicas, (r) => r.connectsPer1k.replicas)} |`;
  });
  return [
    `scale-out through local mode's nginx (${twoHops ? 'front + balancer' : 'balancer only'}), GET /${SECTION}, ${connections} connections, ${durationSec} s runs, medians of ${runs.length / counts.length} interleaved rounds`,
    header,
    `|${'---|'.repeat(5 + ROLES.length + 2)}`,
    ...rows,
  ].join('\n');
}

/**
 * Horizontal scaling as the demo promises it: N replicas, each held to the CPU limit, serve N times what one
 * does while the machine has CPU to spare. Goal: at least 0.9 x N x one replica's rate.
 */
function scalingVerdict(runs: Run[], counts: number[], cpuLimit: string, limitProblems: string[]): string {
  const one = median(runs.filter((r) => r.replicas === counts[0]).map((r) => r.rps)) / counts[0]!;
  const rows = counts.map((replicas) => {
    const rps = median(runs.filter((r) => r.replicas === replicas).map((r) => r.rps));
    const share = ratio(rps, one * replicas);
    return `| ${replicas} | ${rps} | ${round1(one * replicas)} | ${share} | ${share >= 0.9 ? 'met' : 'not met'} |`;
  });
  const caveat = limitProblems.length > 0 ? `\nNOT HELD TO THE LIMIT: ${limitProblems[0]} (these figures are of unlimited replicas)` : '';
  return (
    [
      `\nhorizontal scaling with ${cpuLimit} CPU per replica (goal: N replicas >= 0.9 x N x one replica's rate)`,
      '| Replicas | req/s (median) | N x one | ÷ (N x one) | goal |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n') + caveat
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round1(sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}

function ratio(value: number, base: number): number {
  return base > 0 ? Math.round((value / base) * 100) / 100 : 0;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} ${JSON.stringify(text)}: expected a positive integer`);
  return value;
}

main().catch((error: unknown) => {
  console.error(`scale-out failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
