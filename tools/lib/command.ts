import { spawn } from 'node:child_process';

/** One external command: what `--dry-run` prints and what the runner executes. */
export interface Command {
  readonly argv: readonly string[];
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** Quotes one argument the way a POSIX shell reads it back, so printed commands can be pasted. */
function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command as one copy-pasteable shell line. */
export function formatCommand(cmd: Command): string {
  return cmd.argv.map(shellQuote).join(' ');
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
  /** 'inherit' streams the tool's own progress to the terminal; 'pipe' captures stdout. */
  readonly stdout?: 'inherit' | 'pipe';
}

/** Runs a command without a shell; resolves with captured stdout (empty when inherited), rejects on failure. */
export function runCommand(cmd: Command, options: RunOptions = {}): Promise<string> {
  const [file, ...args] = cmd.argv;
  if (!file) return Promise.reject(new Error('runCommand: empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', (error) => reject(new Error(`could not start ${file}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new CommandFailedError(cmd, code, signal));
    });
  });
}
