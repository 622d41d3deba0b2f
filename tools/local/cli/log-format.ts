import { describeExit } from '../../lib/process/process-exit.ts';
import { textTable } from '../../lib/text-table.ts';
import type { LocalReplica, SectionStatus, ShopEvent } from '../shop/shop.ts';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
// Fields every service line carries (pino base, replica bindings): already in the prefix, or noise.
const SKIPPED_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'replica', 'section']);

/**
 * One short line per event: `12:00:01 chocolates-6njmh264b-6qjlk info  request GET /chocolates 200 1.2ms`.
 * Replica lines that are not JSON (stack traces, Node start-up errors) are shown as they are.
 */
export function formatShopEvent(event: ShopEvent, now = new Date()): string {
  const time = now.toISOString().slice(11, 19);
  if (event.type === 'message') return `${time} ${'local'.padEnd(26)} ${event.level.padEnd(5)} ${event.message}`;
  const who = event.replica.padEnd(26);
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(event.line);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    entry = parsed as Record<string, unknown>;
  } catch {
    return `${time} ${who} ${event.stream === 'stderr' ? 'err  ' : 'out  '} ${event.line}`;
  }
  const level = typeof entry.level === 'number' ? (LEVELS[entry.level] ?? String(entry.level)) : String(entry.level ?? '');
  return `${time} ${who} ${level.padEnd(5)} ${[String(entry.msg ?? ''), ...describeFields(entry)].join(' ')}`;
}

function describeFields(entry: Record<string, unknown>): string[] {
  // The service's request line: show it like an access log.
  if (entry.msg === 'request' && typeof entry.method === 'string')
    return [entry.method, String(entry.path), String(entry.status), `${entry.durationMs}ms`];
  return Object.entries(entry)
    .filter(([key]) => !SKIPPED_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

/**
 * The start-up and status table: section, replica, port, pid, liveness restarts, and whether it runs
 * and is ready (`running, not ready`: its readinessProbe fails, it is out of nginx).
 */
export function formatReplicaTable(replicas: readonly LocalReplica[]): string {
  const header = ['SECTION', 'REPLICA', 'PORT', 'PID', 'RESTARTS', 'STATUS'];
  const status = (r: LocalReplica): string =>
    (r.exit ? `gone (${describeExit(r.exit)})` : r.starting ? 'starting' : r.ready ? 'running' : 'running, not ready') +
    (r.lastTerminationReason ? ` (last: ${r.lastTerminationReason})` : '');
  return formatTable(
    header,
    replicas.map((r) => [r.section, r.id, String(r.port), String(r.pid), String(r.restarts), status(r)]),
  );
}

/**
 * What `kubectl get hpa` shows, per section with an HPA, plus the desired count, the condition that
 * explains the count (why it does not scale, when it does not) and the last rescale.
 */
export function formatAutoscalerTable(sections: Readonly<Record<string, SectionStatus>>, now = Date.now()): string {
  const header = ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'DESIRED', 'CONDITION', 'LAST SCALE'];
  const rows = Object.entries(sections)
    .filter(([, s]) => s.hpa !== null)
    .map(([name, s]) => [
      s.hpa!,
      `Deployment/${name}`,
      `cpu: ${s.cpuUtilization === null ? '<unknown>' : `${s.cpuUtilization}%`}/${s.targetCPUUtilization}%`,
      String(s.minReplicas),
      String(s.maxReplicas),
      String(s.replicas),
      String(s.desiredReplicas),
      tellingCondition(s),
      s.lastScaleTime === null ? '-' : `${Math.round((now - Date.parse(s.lastScaleTime)) / 1000)}s ago: ${s.lastScaleEvent}`,
    ]);
  return formatTable(header, rows);
}

// The condition a reader wants first: why it cannot compute a count, else what limits it, else what it did.
function tellingCondition(section: SectionStatus): string {
  const conditions = section.conditions ?? [];
  const find = (type: string, status: string) => conditions.find((c) => c.type === type && c.status === status)?.reason;
  return find('ScalingActive', 'False') ?? find('ScalingLimited', 'True') ?? find('AbleToScale', 'True') ?? '-';
}

function formatTable(header: readonly string[], rows: readonly string[][]): string {
  return textTable(header, rows);
}
