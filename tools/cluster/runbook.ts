import { request } from 'node:http';

import { type Command, formatCommand, runCommand } from '../lib/command.ts';

/**
 * The runbook of one cluster command (cluster:up, deploy, ...): its full step sequence, known before
 * anything runs. `--dry-run` prints it, the runner executes it, tests compare it. (Not to be confused
 * with `npm run plan`, which diffs environments.)
 */
export interface Runbook {
  /** Executables the runbook needs besides what its commands name (e.g. docker behind kind). */
  readonly extraTools?: readonly string[];
  readonly steps: readonly Step[];
}

export type Step = CommandStep | RequestsStep;

export interface CommandStep {
  readonly type: 'command';
  readonly cmd: Command;
  /** Keep the trimmed stdout under this name; later steps refer to it as `{name}`. */
  readonly captureAs?: string;
}

/** HTTP requests through the ingress, reporting which replicas answered (X-Served-By). */
export interface RequestsStep {
  readonly type: 'requests';
  readonly section: string;
  /** May contain `{name}` placeholders filled from captured command output. */
  readonly url: string;
  readonly count: number;
  /** Host header, when the Ingress matches a virtual host. */
  readonly host?: string;
}

export function commandStep(argv: string[], captureAs?: string): CommandStep {
  return captureAs === undefined ? { type: 'command', cmd: { argv } } : { type: 'command', cmd: { argv }, captureAs };
}

/** The line `--dry-run` prints for a step; captured values show as the shell's `$(command)`. */
function describeStep(step: Step, runbook: Runbook): string {
  if (step.type === 'command') return formatCommand(step.cmd);
  const host = step.host ? ` -H 'Host: ${step.host}'` : '';
  return `GET ${fillPlaceholders(step.url, shellCaptures(runbook))}${host} x${step.count} (prints X-Served-By per replica)`;
}

export function describeRunbook(runbook: Runbook): string[] {
  return runbook.steps.map((step) => describeStep(step, runbook));
}

/** Every executable the runbook runs, in first-use order, plus its extra tools. */
export function toolsOf(runbook: Runbook): string[] {
  const tools = [...(runbook.extraTools ?? [])];
  for (const step of runbook.steps) {
    const tool = step.type === 'command' ? step.cmd.argv[0] : undefined;
    if (tool && !tools.includes(tool)) tools.push(tool);
  }
  return tools;
}

export interface ExecuteOptions {
  readonly cwd: string;
  readonly log: (line: string) => void;
}

/** Runs the runbook in order, printing each command before it runs; stops at the first failure. */
export async function executeRunbook(runbook: Runbook, options: ExecuteOptions): Promise<void> {
  const captured: Record<string, string> = {};
  for (const step of runbook.steps) {
    if (step.type === 'command') {
      options.log(`$ ${formatCommand(step.cmd)}`);
      const output = await runCommand(step.cmd, { cwd: options.cwd, stdout: step.captureAs ? 'pipe' : 'inherit' });
      if (step.captureAs) {
        captured[step.captureAs] = output.trim();
        options.log(`  ${step.captureAs} = ${captured[step.captureAs]}`);
      }
    } else {
      await runRequests({ ...step, url: fillPlaceholders(step.url, captured) }, options.log);
    }
  }
}

function shellCaptures(runbook: Runbook): Record<string, string> {
  const values: Record<string, string> = {};
  for (const step of runbook.steps) {
    if (step.type === 'command' && step.captureAs) values[step.captureAs] = `$(${formatCommand(step.cmd)})`;
  }
  return values;
}

function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

async function runRequests(step: RequestsStep, log: (line: string) => void): Promise<void> {
  const servedBy = new Map<string, number>();
  const failures: string[] = [];
  for (let i = 0; i < step.count; i++) {
    const reply = await get(step.url, step.host);
    if (reply.status === 200) {
      servedBy.set(reply.servedBy, (servedBy.get(reply.servedBy) ?? 0) + 1);
    } else {
      failures.push(reply.status === 0 ? reply.error : `HTTP ${reply.status}`);
    }
  }
  const replicas = [...servedBy].map(([id, n]) => `${id} x${n}`).join(', ') || 'none';
  log(`${step.section}: ${step.count - failures.length}/${step.count} OK from ${step.url}, X-Served-By: ${replicas}`);
  if (failures.length > 0) {
    throw new Error(
      `${step.section}: ${failures.length} of ${step.count} requests to ${step.url} failed (${[...new Set(failures)].join('; ')})`,
    );
  }
}

interface Reply {
  readonly status: number;
  readonly servedBy: string;
  readonly error: string;
}

/** One GET on a fresh connection, so the load balancer picks a replica per request. */
function get(url: string, host: string | undefined): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: host ? { host } : {}, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, servedBy: String(res.headers['x-served-by'] ?? '(no X-Served-By)'), error: '' }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', (error) => resolve({ status: 0, servedBy: '', error: error.message }));
    req.end();
  });
}
