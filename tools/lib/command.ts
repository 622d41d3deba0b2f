import { spawn } from 'node:child_process';
import { delimiter, resolve } from 'node:path';

/** One external command: what `--dry-run` prints and what the runner executes. */
export interface Command {
  readonly argv: readonly string[];
  /** Variables set for this command only, on top of the runner's environment (e.g. KUBECTL_APPLYSET=true). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A folder searched before the runner's PATH (e.g. .control-plane/bin, so kwokctl finds the kubectl built
   * beside it); printed as `PATH=<folder>:$PATH`.
   */
  readonly pathPrepend?: string;
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** Quotes one argument the way a POSIX shell reads it back, so printed commands can be pasted. */
function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command as one copy-pasteable shell line (its own variables first, as `NAME=value command`). */
export function formatCommand(cmd: Command): string {
  const assignments = Object.entries(cmd.env ?? {}).map(([name, value]) => `${name}=${shellQuote(value)}`);
  const path = cmd.pathPrepend === undefined ? [] : [`PATH=${shellQuote(cmd.pathPrepend)}:$PATH`];
  return [...assignments, ...path, ...cmd.argv.map(shellQuote)].join(' ');
}

class CommandFailedError extends Error {
  readonly cmd: Command;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;

  constructor(cmd: Command, exitCode: number | null, signal: NodeJS.Signals | null) {
    super(`command failed (${signal ? `signal ${signal}` : `exit code ${exitCode}`}): ${formatCommand(cmd)}`);
    this.cmd = cmd;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

export interface RunOptions {
  readonly cwd?: string;
  /** The child's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** 'inherit' streams the tool's own progress to the terminal; 'pipe' captures stdout. */
  readonly stdout?: 'inherit' | 'pipe';
  /** Exit codes that mean success (default: only 0); e.g. `kubectl diff` exits 1 when it found differences. */
  readonly exitCodes?: readonly number[];
  /** Where the command's own output goes instead of the terminal (both streams), e.g. a test's log. */
  readonly forward?: (text: string) => void;
}

/** Runs a command without a shell; resolves with captured stdout (empty when inherited), rejects on failure. */
export function runCommand(cmd: Command, options: RunOptions = {}): Promise<string> {
  const [file, ...args] = cmd.argv;
  if (!file) return Promise.reject(new Error('runCommand: empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: commandEnvironment(cmd, options),
      stdio: ['ignore', options.forward ? 'pipe' : (options.stdout ?? 'inherit'), options.forward ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.stdout === 'pipe') stdout += chunk;
      options.forward?.(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => options.forward?.(chunk));
    child.on('error', (error) => reject(new Error(`could not start ${file}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code !== null && (options.exitCodes ?? [0]).includes(code)) resolve(stdout);
      else reject(new CommandFailedError(cmd, code, signal));
    });
  });
}

/** The runner's environment with the command's own variables on top, and its folder first on PATH. */
function commandEnvironment(cmd: Command, options: RunOptions): NodeJS.ProcessEnv | undefined {
  if (cmd.env === undefined && cmd.pathPrepend === undefined) return options.env;
  const base = { ...(options.env ?? process.env), ...cmd.env };
  if (cmd.pathPrepend === undefined) return base;
  const folder = resolve(options.cwd ?? '.', cmd.pathPrepend);
  return { ...base, PATH: [folder, base.PATH].filter(Boolean).join(delimiter) };
}

/** What a probe saw: exit status (null when killed or not started), both outputs, and why it did not start. */
export interface ProbeResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not start (e.g. not installed) or timed out. */
  readonly error?: string;
}

export interface ProbeOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A daemon that does not answer must not hang the caller. */
  readonly timeoutMs?: number;
}

/**
 * Runs a read-only command to learn something (is docker installed, does its daemon answer) and
 * never rejects: a missing executable or a failure is an answer too.
 */
export function probeCommand(argv: readonly string[], options: ProbeOptions = {}): Promise<ProbeResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('probeCommand: empty command'));
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (cause) => {
      error = cause.message;
    });
    child.on('close', (code, signal) => {
      // A failed start still closes (with code -2 for ENOENT): report it as not started, not as an exit code.
      if (error !== undefined) resolve({ status: null, stdout, stderr, error });
      else if (signal !== null) resolve({ status: null, stdout, stderr, error: `no answer within ${timeoutMs / 1000} s (${signal})` });
      else resolve({ status: code, stdout, stderr });
    });
  });
}
