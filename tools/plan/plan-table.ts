/**
 * The review view of the environments: one Markdown table per environment, and what changed against a
 * base. Pure: works on plain data, so the base may come from an older commit with a different shape.
 */
import { markdownTable } from '../lib/text-table.ts';
import { scalingCell } from './scaling-cell.ts';

/** One column of the table: header and how to read the cell from a section's config (or the environment's, or its routing block's). */
interface Column {
  readonly header: string;
  readonly path: readonly string[];
  readonly suffix?: string;
  readonly of?: 'environment' | 'routing';
  /** How a value reads in the cell (default: the value and the suffix); undefined reads `–`. */
  readonly format?: (value: unknown) => string | undefined;
}

const COLUMNS: readonly Column[] = [
  { header: 'min', path: ['minReplicas'] },
  { header: 'max', path: ['maxReplicas'] },
  { header: 'cpu target', path: ['cpuTargetPercent'], suffix: '%' },
  { header: 'scale up', path: ['hpaBehavior', 'scaleUp'], of: 'environment', format: (rules) => scalingCell('scaleUp', rules) },
  { header: 'scale down', path: ['hpaBehavior', 'scaleDown'], of: 'environment', format: (rules) => scalingCell('scaleDown', rules) },
  { header: 'cpu req', path: ['requests', 'cpu'] },
  { header: 'cpu limit', path: ['limits', 'cpu'] },
  { header: 'mem req', path: ['requests', 'memory'] },
  { header: 'mem limit', path: ['limits', 'memory'] },
  { header: 'image tag', path: ['image', 'tag'] },
  { header: 'load balancing', path: ['loadBalancing'], of: 'routing' },
];

type Data = Readonly<Record<string, unknown>>;

export interface PlanOptions {
  /** Environments at the base ref; when given, changed cells read `old → new` and a change list follows. */
  readonly base?: Readonly<Record<string, unknown>>;
  /** How to name the base in the output (e.g. the git ref). */
  readonly baseLabel?: string;
  /** Why synth refuses a current environment, by name (its problems): listed under its table. */
  readonly refused?: Readonly<Record<string, readonly string[]>>;
  /** Why synth at the base refused an environment, by name. */
  readonly baseRefused?: Readonly<Record<string, readonly string[]>>;
  /** Why the base environments could not be checked, when they could not. */
  readonly baseUnchecked?: string;
}

/** The plan for `current` (every environment by name) as Markdown. */
export function renderPlan(current: Readonly<Record<string, unknown>>, options: PlanOptions = {}): string {
  const { base } = options;
  const names = [...new Set([...Object.keys(current), ...Object.keys(base ?? {})])];
  const blocks = names.map((name) => {
    const table = renderEnvironment(
      name,
      current[name] as Data | undefined,
      base ? (base[name] as Data | undefined) : undefined,
      base !== undefined,
    );
    return [table, ...refusalNotes(name, options)].join('\n\n');
  });
  if (base !== undefined) {
    const label = options.baseLabel ?? 'the base';
    const changes = diffLeaves(base, current);
    blocks.push(
      changes.length === 0
        ? `No changes against ${label}.`
        : [`### Changes against ${label}`, '', ...changes.map((change) => `- ${change}`)].join('\n'),
    );
    if (options.baseUnchecked !== undefined) blocks.push(`Not checked at ${label}: ${options.baseUnchecked}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

function renderEnvironment(name: string, environment: Data | undefined, baseEnvironment: Data | undefined, comparing: boolean): string {
  const status = environment === undefined ? ' (removed)' : comparing && baseEnvironment === undefined ? ' (new)' : '';
  const header = ['section', ...COLUMNS.map((column) => column.header)];
  const sectionNames = [
    ...new Set([
      ...Object.keys((get(baseEnvironment, ['sections']) ?? {}) as Data),
      ...Object.keys((get(environment, ['sections']) ?? {}) as Data),
    ]),
  ];
  const rows = sectionNames.map((section) => sectionRow(section, environment, baseEnvironment, comparing));
  return [`### ${name}${status}: ${describeEnvironment(environment ?? baseEnvironment ?? {})}`, '', markdownTable(header, rows)].join('\n');
}

/** The environment's routing block: `gateway` (Gateway API) when it has one, else `ingress`. */
function routingKey(environment: Data | undefined): 'gateway' | 'ingress' {
  return get(environment, ['gateway']) === undefined ? 'ingress' : 'gateway';
}

/** The title's summary: where it runs, which controller, and the availability floor every section keeps. */
function describeEnvironment(shown: Data): string {
  const key = routingKey(shown);
  const routing = (get(shown, [key]) ?? {}) as Data;
  const existing = get(routing, ['existingGateway']) as Data | undefined;
  const parent = existing ? `Gateway ${String(existing.namespace)}/${String(existing.name)}` : `class ${String(routing.className ?? '?')}`;
  const floor = get(shown, ['availability', 'minReplicasFloor']);
  const spread = get(shown, ['availability', 'spreadAcrossNodes']);
  const where = `namespace ${String(shown.namespace ?? '?')}, ${key} ${String(routing.controller ?? '?')} (${parent})`;
  const availability = [
    ...(floor === undefined ? [] : [`min replicas floor ${String(floor)}`]),
    ...(spread === undefined ? [] : [`node spread ${String(spread)}`]),
  ];
  return [where, ...availability].join(', ');
}

function sectionRow(section: string, environment: Data | undefined, baseEnvironment: Data | undefined, comparing: boolean): string[] {
  const now = get(environment, ['sections', section]) as Data | undefined;
  const before = get(baseEnvironment, ['sections', section]) as Data | undefined;
  const isNew = comparing && baseEnvironment !== undefined && before === undefined;
  const sectionStatus = now === undefined ? ' (removed)' : isNew ? ' (new)' : '';
  const compareCells = comparing && now !== undefined && before !== undefined;
  const compareEnvironments = comparing && environment !== undefined && baseEnvironment !== undefined;
  return [
    `${section}${sectionStatus}`,
    ...COLUMNS.map((column) => {
      if (column.of === undefined) return cell(column, get(before, column.path), get(now ?? before, column.path), compareCells);
      const path = (shown: Data | undefined) => (column.of === 'routing' ? [routingKey(shown), ...column.path] : column.path);
      const shown = environment ?? baseEnvironment;
      return cell(column, get(baseEnvironment, path(baseEnvironment)), get(shown, path(shown)), compareEnvironments);
    }),
  ];
}

function cell(column: Column, before: unknown, now: unknown, compare: boolean): string {
  const show = (value: unknown) => {
    const text = column.format ? column.format(value) : value === undefined ? undefined : `${String(value)}${column.suffix ?? ''}`;
    return text ?? '–';
  };
  return compare && show(before) !== show(now) ? `${show(before)} → ${show(now)}` : show(now);
}

/** Under an environment's table: why synth refuses it now, and why it refused it at the base. */
function refusalNotes(name: string, options: PlanOptions): string[] {
  const list = (title: string, lines: readonly string[] | undefined) =>
    lines === undefined ? [] : [[title, '', ...lines.map((line) => `- ${line}`)].join('\n')];
  return [
    ...list(`**\`npm run synth\` refuses ${name}** (fix it before merging):`, options.refused?.[name]),
    ...list(`**\`npm run synth\` refused ${name} at ${options.baseLabel ?? 'the base'}:**`, options.baseRefused?.[name]),
  ];
}

function get(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Data)[key];
  }
  return current;
}

/**
 * Every field that differs between `base` and `current`, as `path: old → new`; a whole environment or
 * section that appears or disappears is one line, not one per field.
 */
export function diffLeaves(base: unknown, current: unknown, path = ''): string[] {
  // Objects and arrays alike are walked into (array items read `policies[0]`).
  const isContainer = (value: unknown) => value !== null && typeof value === 'object';
  if (isContainer(base) && isContainer(current)) {
    const keys = [...new Set([...Object.keys(base as Data), ...Object.keys(current as Data)])];
    // Array items read `policies[0]`, as validation names them.
    const child = (key: string) => (Array.isArray(current) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);
    return keys.flatMap((key) => diffLeaves((base as Data)[key], (current as Data)[key], child(key)));
  }
  if (base === undefined && current === undefined) return [];
  if (base === undefined) return [`${path}: added${isContainer(current) ? '' : ` (${JSON.stringify(current)})`}`];
  if (current === undefined) return [`${path}: removed${isContainer(base) ? '' : ` (was ${JSON.stringify(base)})`}`];
  if (JSON.stringify(base) === JSON.stringify(current)) return [];
  return [`${path}: ${JSON.stringify(base)} → ${JSON.stringify(current)}`];
}
