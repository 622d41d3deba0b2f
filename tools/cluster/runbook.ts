import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { type Command, formatCommand, runCommand } from '../lib/command.ts';
import { type RequestsStep, runRequests } from './requests.ts';

/**
 * The runbook of one cluster command (cluster:up, deploy, ...): its full step sequence, known before
 * anything runs. `--dry-run` prints it, the runner executes it, tests compare it. (Not to be confused
 * with `npm run plan`, which diffs environments.)
 */
export interface Runbook {
  /** Executables the runbook needs besides what its commands name (e.g. podman behind kind). */
  readonly extraTools?: readonly string[];
  readonly steps: readonly Step[];
}

export type Step = CommandStep | RequestsStep | ProbeStep | UnlessStep | CheckStep | TaskStep | WriteStep | ConfirmStep;

export interface CommandStep {
  readonly type: 'command';
  readonly cmd: Command;
  /** Keep the trimmed stdout under this name; later steps refer to it as `{name}`. */
  readonly captureAs?: string;
  /** Exit codes that mean success (default: only 0). */
  readonly exitCodes?: readonly number[];
  /** Printed after the command by --dry-run, e.g. what an accepted non-zero exit code means. */
  readonly comment?: string;
}

/** A read-only command whose output must meet an expectation (e.g. `kind version` is new enough). */
export interface ProbeStep {
  readonly type: 'probe';
  readonly cmd: Command;
  /** What the output must show, as --dry-run prints it. */
  readonly expectation: string;
  /** Undefined when the output meets the expectation, else the one-line error. */
  readonly verify: (stdout: string) => string | undefined;
  /** What the run log shows of the output. @default its first line */
  readonly summary?: (stdout: string) => string;
}

/**
 * Runs a read-only probe, then its steps unless the probe shows they are done already: what makes a
 * re-run after a failure safe (create the cluster unless it exists, patch unless patched).
 */
export interface UnlessStep {
  readonly type: 'unless';
  readonly probe: Command;
  /** When the steps are skipped, as --dry-run prints it: "it lists sweetshop". */
  readonly condition: string;
  readonly holds: (stdout: string) => boolean;
  readonly steps: readonly Step[];
}

/** What a check sees while it runs: the runner's directory, environment and log. */
export interface StepContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  /** Asks the person at the terminal a yes/no question; absent when nobody can answer (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Where the commands' own output goes instead of the terminal (tests keep it out of their report). */
  readonly output?: (text: string) => void;
}

/** A precondition this tool checks itself (free ports, a runtime that answers); no command to print. */
export interface CheckStep {
  readonly type: 'check';
  readonly description: string;
  /** Resolves when the precondition holds; rejects with one line saying what is wrong and what to do. */
  readonly run: (context: StepContext) => Promise<void>;
}

/** Work this tool does itself rather than through one command (start or stop a background process). */
export interface TaskStep {
  readonly type: 'task';
  readonly description: string;
  /** Resolves when done; rejects with one line saying what went wrong and what to do. */
  readonly run: (context: StepContext) => Promise<void>;
}

/** A file this tool writes (relative to the runner's directory), with its parents. */
export interface WriteStep {
  readonly type: 'write';
  readonly path: string;
  /** The content, or how to make it when the step runs (from files earlier steps wrote). */
  readonly content: string | ((context: StepContext) => string);
  /** Where the content comes from, as --dry-run prints it. */
  readonly description: string;
}

/**
 * A read-only command whose output lists what the following steps would destroy (e.g. the objects a
 * server-side dry run of `kubectl apply --prune` prunes). Nothing listed: the runbook goes on. Otherwise it
 * goes on only when `approved` (a --yes flag) or the person at the terminal agrees; with nobody to ask it
 * stops with a message that names every item.
 */
export interface ConfirmStep {
  readonly type: 'confirm';
  readonly cmd: Command;
  /** What the output lists, as the messages name it: "objects --prune would delete from the cluster". */
  readonly subject: string;
  /** Asked at the terminal when the list is not empty, e.g. "Delete them?". */
  readonly question: string;
  /** The items of the output that need consent. */
  readonly findings: (stdout: string) => string[];
  /** Consent given up front. */
  readonly approved: boolean;
  /** The flag that gives it, for the messages (e.g. `--yes`). */
  readonly approveFlag: string;
}

export function commandStep(argv: string[], captureAs?: string): CommandStep {
  return captureAs === undefined ? { type: 'command', cmd: { argv } } : { type: 'command', cmd: { argv }, captureAs };
}

/** The lines `--dry-run` prints for a step; captured values show as the shell's `$(command)`. */
function describeStep(step: Step, captures: Record<string, string>): string[] {
  switch (step.type) {
    case 'command':
      return [step.comment === undefined ? formatCommand(step.cmd) : `${formatCommand(step.cmd)}  # ${step.comment}`];
    case 'requests': {
      const host = step.host ? ` -H 'Host: ${step.host}'` : '';
      return [`GET ${fillPlaceholders(step.url, captures)}${host} x${step.count} (prints X-Served-By per replica)`];
    }
    case 'probe':
      return [`${formatCommand(step.cmd)}  # ${step.expectation}`];
    case 'unless':
      return [
        `${formatCommand(step.probe)}  # unless ${step.condition}:`,
        ...step.steps.flatMap((inner) => describeStep(inner, captures)).map((line) => `  ${line}`),
      ];
    case 'check':
      return [`# check: ${step.description}`];
    case 'task':
      return [`# ${step.description}`];
    case 'write':
      return [`# write ${step.path}: ${step.description}`];
    case 'confirm': {
      const consent = step.approved ? `${step.approveFlag} given: no question` : `needs ${step.approveFlag} or a yes at the prompt`;
      return [`${formatCommand(step.cmd)}  # lists the ${step.subject}; ${consent}`];
    }
  }
}

export function describeRunbook(runbook: Runbook): string[] {
  const captures = shellCaptures(runbook.steps);
  return runbook.steps.flatMap((step) => describeStep(step, captures));
}

/** Every command a step may run, nested steps included. */
function commandsOf(steps: readonly Step[]): Command[] {
  return steps.flatMap((step): Command[] => {
    if (step.type === 'command' || step.type === 'probe' || step.type === 'confirm') return [step.cmd];
    if (step.type === 'unless') return [step.probe, ...commandsOf(step.steps)];
    return [];
  });
}

/** Every executable the runbook runs, in first-use order, plus its extra tools. */
export function toolsOf(runbook: Runbook): string[] {
  const tools = [...(runbook.extraTools ?? [])];
  for (const cmd of commandsOf(runbook.steps)) {
    const tool = cmd.argv[0];
    if (tool && !tools.includes(tool)) tools.push(tool);
  }
  return tools;
}

export interface ExecuteOptions {
  readonly cwd: string;
  readonly log: (line: string) => void;
  /** The environment of every command and check (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** How to ask the person at the terminal; leave it out when nobody can answer. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Where the commands' own output goes (default: the terminal). */
  readonly output?: (text: string) => void;
}

/** Runs the runbook in order, printing each command before it runs; stops at the first failure. */
export async function executeRunbook(runbook: Runbook, options: ExecuteOptions): Promise<void> {
  const context: StepContext = { ...options, env: options.env ?? process.env };
  await executeSteps(runbook.steps, context, {});
}

async function executeSteps(steps: readonly Step[], context: StepContext, captured: Record<string, string>): Promise<void> {
  for (const step of steps) await executeStep(step, context, captured);
}

async function executeStep(step: Step, context: StepContext, captured: Record<string, string>): Promise<void> {
  const { log } = context;
  switch (step.type) {
    case 'command': {
      log(`$ ${formatCommand(step.cmd)}`);
      const output = await run(step.cmd, context, step.captureAs ? 'pipe' : 'inherit', step.exitCodes);
      if (step.captureAs) {
        captured[step.captureAs] = output.trim();
        log(`  ${step.captureAs} = ${captured[step.captureAs]}`);
      }
      return;
    }
    case 'requests':
      return runRequests({ ...step, url: fillPlaceholders(step.url, captured) }, log);
    case 'probe': {
      log(`$ ${formatCommand(step.cmd)}`);
      const output = await run(step.cmd, context, 'pipe');
      log(`  ${step.summary ? step.summary(output) : (output.trim().split('\n')[0] ?? '')}`);
      const problem = step.verify(output);
      if (problem) throw new Error(problem);
      return;
    }
    case 'unless':
      return executeUnless(step, context, captured);
    case 'check':
      log(`# check: ${step.description}`);
      return step.run(context);
    case 'task':
      log(`# ${step.description}`);
      return step.run(context);
    case 'write': {
      log(`# write ${step.path}: ${step.description}`);
      const content = typeof step.content === 'string' ? step.content : step.content(context);
      mkdirSync(dirname(resolve(context.cwd, step.path)), { recursive: true });
      writeFileSync(resolve(context.cwd, step.path), content);
      return;
    }
    case 'confirm':
      return executeConfirm(step, context);
  }
}

async function executeConfirm(step: ConfirmStep, context: StepContext): Promise<void> {
  context.log(`$ ${formatCommand(step.cmd)}`);
  const items = step.findings(await run(step.cmd, context, 'pipe'));
  if (items.length === 0) {
    context.log(`  no ${step.subject}`);
    return;
  }
  const named = `${step.subject} (${items.length}): ${items.join(', ')}`;
  context.log(`  ${step.subject} (${items.length}):`);
  for (const item of items) context.log(`    ${item}`);
  if (step.approved) {
    context.log(`  going ahead: ${step.approveFlag} was given`);
    return;
  }
  if (context.confirm === undefined) {
    throw new Error(
      `stopped before the apply: ${named}; no ${step.approveFlag} and no terminal to ask. ` +
        `Re-run with ${step.approveFlag} to go ahead, or in a terminal to be asked.`,
    );
  }
  if (!(await context.confirm(`  ${step.question} [y/N] `))) throw new Error(`stopped before the apply: not confirmed; ${named}`);
}

async function executeUnless(step: UnlessStep, context: StepContext, captured: Record<string, string>): Promise<void> {
  context.log(`$ ${formatCommand(step.probe)}`);
  const output = await run(step.probe, context, 'pipe');
  if (step.holds(output)) {
    context.log(`  ${step.condition}: skipping ${step.steps.length} step(s)`);
    return;
  }
  await executeSteps(step.steps, context, captured);
}

function run(cmd: Command, context: StepContext, stdout: 'inherit' | 'pipe', exitCodes?: readonly number[]): Promise<string> {
  return runCommand(cmd, { cwd: context.cwd, env: context.env, stdout, exitCodes, forward: context.output });
}

function shellCaptures(steps: readonly Step[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const step of steps) {
    if (step.type === 'command' && step.captureAs) values[step.captureAs] = `$(${formatCommand(step.cmd)})`;
  }
  return values;
}

function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
