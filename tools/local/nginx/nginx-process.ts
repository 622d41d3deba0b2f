import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { findExecutable } from '../../lib/find-executable.ts';
import { pollUntil } from '../../lib/poll-until.ts';
import { acceptsConnections } from '../../lib/process/ports.ts';
import { hasExited, type ProcessExit, stopChild, waitForExit } from '../../lib/process/process-exit.ts';
import { childPids, groupMembers } from '../../lib/process/process-identity.mjs';
import type { ProcessWatcher } from '../supervisor/process-guard.ts';

const run = promisify(execFile);

export const NGINX_INSTALL_HINT = 'nginx is not installed (local mode runs the real one): run `apt-get install nginx-light`';

/** Absolute path of the nginx binary; throws one line naming the install command when missing. */
export function findNginx(): string {
  const binary = findExecutable('nginx');
  if (!binary) throw new Error(NGINX_INSTALL_HINT);
  return binary;
}

/**
 * An unprivileged nginx master running in the foreground (`daemon off`) with its own prefix
 * directory, so several can run side by side and cleanup is removing that directory.
 */
export class NginxProcess {
  private readonly binary: string;
  private readonly prefix: string;
  private readonly child: ChildProcess;
  /** Resolves once the master has exited (and its orphaned workers, if any, were sent SIGKILL). */
  readonly exited: Promise<number | null>;
  private stopping = false;

  private constructor(binary: string, prefix: string, child: ChildProcess) {
    this.binary = binary;
    this.prefix = prefix;
    this.child = child;
    // A master killed with -9 leaves its workers running, still accepting on its listen socket (the
    // next start on that port fails) and proxying with the config they had: they go with it.
    this.exited = waitForExit(child).then((code) => {
      this.killOrphans();
      return code;
    });
  }

  /** Writes the config, checks it with `nginx -t`, starts nginx and waits until it accepts connections on 127.0.0.1:listenPort. */
  static async start(binary: string, prefix: string, config: string, listenPort: number, watcher: ProcessWatcher): Promise<NginxProcess> {
    for (const dir of ['logs', 'temp']) mkdirSync(join(prefix, dir), { recursive: true });
    await writeAndTest(binary, prefix, config);
    // Own process group: a terminal Ctrl-C reaches the supervisor only, which stops nginx in order.
    const child = spawn(binary, ['-p', prefix, '-e', errorLogPath(prefix), '-c', configPath(prefix), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    watcher.watch(child, 'nginx');
    const nginx = new NginxProcess(binary, prefix, child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Something accepting connections on the port is not proof: another process (another local shop
    // started at the same moment) may hold it while this nginx retries bind() for ~2.5 s and exits. nginx
    // writes its pid file only after it has bound every listen socket, so that pid file is the proof.
    const listening = await pollUntil(
      async () => {
        if (hasExited(child)) throw new Error(startFailure(listenPort, (stderr || nginx.errorLogTail()).trim()));
        return nginx.pidFileIsMine() && acceptsConnections(listenPort);
      },
      15_000,
      50,
    );
    if (!listening) {
      await nginx.stop();
      throw new Error(`nginx did not start listening within 15 s: ${nginx.errorLogTail()}`);
    }
    return nginx;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** undefined while the master runs; how it ended once it has. */
  get exit(): ProcessExit | undefined {
    return hasExited(this.child) ? { code: this.child.exitCode, signal: this.child.signalCode } : undefined;
  }

  /** True once stop() was called: an exit after that is expected. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Graceful reload: checks the new config, sends SIGHUP, then waits until the workers that ran the
   * old config have finished their requests and exited, so no one still proxies to an old replica.
   * A timeout here comes after the SIGHUP: the new config is live, only old workers linger.
   */
  async reload(config: string, options: { drain?: boolean } = {}): Promise<void> {
    await writeAndTest(this.binary, this.prefix, config);
    if (hasExited(this.child)) throw new Error(`nginx reload: master ${this.pid} is not running`);
    const oldWorkers = childPids(this.pid);
    process.kill(this.pid, 'SIGHUP');
    // New workers appear and old ones leave; done once no old worker is left and a new one runs.
    const replaced = await pollUntil(
      () => {
        if (hasExited(this.child)) throw new Error(`nginx reload: master ${this.pid} exited during the reload`);
        const current = childPids(this.pid);
        // drain false: done once a worker with the new config runs and every old one has begun its
        // graceful exit (a rollback must not wait on old workers stuck on a hung replica; those finish or
        // time out on their own). Until an old worker has begun it, it still takes new requests on the
        // keep-alive connections it holds, and routes them by the old config.
        if (options.drain === false) {
          return (
            current.some((pid) => !oldWorkers.includes(pid)) && oldWorkers.every((pid) => !current.includes(pid) || isShuttingDown(pid))
          );
        }
        return current.length > 0 && !oldWorkers.some((pid) => current.includes(pid));
      },
      15_000,
      25,
    );
    if (!replaced) throw new Error(`nginx reload: old workers ${oldWorkers.join(', ')} still running after 15 s`);
  }

  /**
   * Graceful quit (SIGQUIT), then SIGKILL if nginx has not exited within the timeout; resolves once
   * no process of its group is left, whatever happened to the master before.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    await stopChild(this.child, this.exited, 'SIGQUIT', timeoutMs, () => this.killNow());
    await this.exited;
    this.killOrphans();
    await pollUntil(() => groupMembers(this.pid).length === 0, timeoutMs, 25);
  }

  /**
   * Synchronous SIGKILL of master and workers (also for a supervisor that is exiting right now).
   * One signal to the process group nginx was started in: killing the workers first would let the
   * master respawn one before it dies, and that orphan would keep listening.
   */
  killNow(): void {
    if (hasExited(this.child)) {
      this.killOrphans();
      return;
    }
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  // Once the master has gone, its pid may be reused; its workers are found by their process group,
  // which the kernel keeps (and does not reuse) while any member lives.
  private killOrphans(): void {
    for (const pid of groupMembers(this.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }

  private pidFileIsMine(): boolean {
    try {
      return Number(readFileSync(join(this.prefix, 'nginx.pid'), 'utf8').trim()) === this.pid;
    } catch {
      return false; // not written yet
    }
  }

  /** Last lines of nginx's error log, for error messages. */
  private errorLogTail(): string {
    try {
      return readFileSync(errorLogPath(this.prefix), 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '(no error log)';
    }
  }
}

function startFailure(listenPort: number, output: string): string {
  if (!output.includes('Address already in use')) return `nginx exited at start: ${output}`;
  return (
    `nginx could not listen: port ${listenPort} is already in use on 127.0.0.1 (taken after local mode found it free, ` +
    `e.g. by another local shop starting at the same moment; \`ss -ltnp 'sport = :${listenPort}'\` names it)`
  );
}

function configPath(prefix: string): string {
  return join(prefix, 'nginx.conf');
}

// Passed with -e too: otherwise nginx first opens its compiled-in /var/log/nginx/error.log.
function errorLogPath(prefix: string): string {
  return join(prefix, 'logs', 'error.log');
}

async function writeAndTest(binary: string, prefix: string, config: string): Promise<void> {
  const candidate = join(prefix, 'nginx.conf.next');
  writeFileSync(candidate, config);
  try {
    await run(binary, ['-p', prefix, '-e', errorLogPath(prefix), '-c', candidate, '-t', '-q']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`generated nginx config is invalid (${candidate}): ${stderr.trim()}`);
  }
  writeFileSync(configPath(prefix), config);
}

/**
 * True once an nginx worker has begun its graceful exit: on SIGQUIT it retitles itself "worker process is
 * shutting down" as it closes its listening sockets and idle keep-alive connections
 * (src/os/unix/ngx_process_cycle.c, ngx_worker_process_cycle). A worker already gone counts too.
 */
function isShuttingDown(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('is shutting down');
  } catch {
    return true;
  }
}
