import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { pollUntil } from '../../lib/poll-until.ts';
import { probe } from '../../lib/process/http-probe.ts';
import { acceptsConnections } from '../../lib/process/ports.ts';
import { describeExit, hasExited, type ProcessExit, stopChild, waitForExit } from '../../lib/process/process-exit.ts';
import type { ProcessWatcher } from './process-guard.ts';
import type { ReplicaCgroup } from './resource-limits.ts';
import type { ServiceCommand } from './service-command.ts';

export interface ReplicaStart {
  /** Deployment (section) name. */
  readonly section: string;
  /** Pod-like name, also REPLICA_ID. */
  readonly id: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly command: ServiceCommand;
  /** Receives every stdout/stderr line of the replica. */
  readonly onLine: (replica: ReplicaProcess, line: string, stream: 'stdout' | 'stderr') => void;
  /** Kills the replica if the supervisor dies without stopping it. */
  readonly watcher: ProcessWatcher;
  /** Liveness restarts of this replica before this process (the pod's restartCount). @default 0 */
  readonly restarts?: number;
  /** Called once /readyz first answers 200 (the shop starts its probes then). */
  readonly onReady?: (replica: ReplicaProcess) => void;
  /** The cgroup holding the manifest's limits; the process joins it before the service starts. */
  readonly cgroup?: ReplicaCgroup;
  /** Why the process before this one (same name) ended, where it was the memory limit. */
  readonly lastTerminationReason?: 'OOMKilled';
}

const TAIL_LINES = 20;

/** One local replica: a real service process on its own loopback port. */
export class ReplicaProcess {
  readonly section: string;
  readonly id: string;
  readonly port: number;
  readonly exited: Promise<number | null>;
  /** Liveness restarts before this process: a restart is a new process under the same name. */
  readonly restarts: number;
  /** When it was spawned, when /readyz first answered 200 and when it exited (Date.now() ms): the HPA reads them. */
  readonly startedAt = Date.now();
  private readyTime: number | undefined;
  private exitTime: number | undefined;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private stopping = false;
  private oomKilledOnExit = false;
  // Cleared while its readinessProbe fails: it stays running, out of nginx.
  private probeReady = true;
  private readonly onReady: ((replica: ReplicaProcess) => void) | undefined;
  readonly cgroup: ReplicaCgroup | undefined;
  readonly lastTerminationReason: 'OOMKilled' | undefined;

  constructor(start: ReplicaStart) {
    this.cgroup = start.cgroup;
    this.lastTerminationReason = start.lastTerminationReason;
    this.restarts = start.restarts ?? 0;
    this.onReady = start.onReady;
    this.section = start.section;
    this.id = start.id;
    this.port = start.port;
    // Own process group: a terminal Ctrl-C reaches only the supervisor, which drains replicas after nginx stops.
    const command = start.cgroup ? start.cgroup.wrap(start.command) : start.command;
    try {
      this.child = spawn(command.executable, [...command.args], {
        cwd: command.cwd,
        env: start.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      this.cgroup?.remove();
      // Node throws some spawn failures (E2BIG: an environment too large) instead of emitting 'error'.
      throw new Error(`replica ${this.id} (${this.section}) could not be started: ${(error as Error).message}`);
    }
    start.watcher.watch(this.child, 'replica');
    this.exited = waitForExit(this.child).then((code) => {
      this.exitTime = Date.now();
      this.oomKilledOnExit = (this.cgroup?.oomKills() ?? 0) > 0;
      this.cgroup?.remove();
      return code;
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.child[stream]! }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        start.onLine(this, line, stream);
      });
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !hasExited(this.child);
  }

  /** undefined while the process runs; how it ended once it has. */
  get exit(): ProcessExit | undefined {
    return hasExited(this.child) ? { code: this.child.exitCode, signal: this.child.signalCode } : undefined;
  }

  /** True once it has exited because the kernel's OOM killer ended it at its memory limit (a pod's OOMKilled). */
  get oomKilled(): boolean {
    return this.oomKilledOnExit;
  }

  /** Ready as nginx sees it: answered /readyz once, runs, and its readinessProbe (if any) passes. */
  get ready(): boolean {
    return this.readyTime !== undefined && this.running && this.probeReady;
  }

  /** The readinessProbe's verdict (the shop reloads nginx after a change). */
  setProbeReady(ready: boolean): void {
    this.probeReady = ready;
  }

  get readyAt(): number | undefined {
    return this.readyTime;
  }

  get exitedAt(): number | undefined {
    return this.exitTime;
  }

  /** True once stop() was called: an exit after that is expected, not a crash. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Polls GET /readyz until this replica answers 200; throws naming the replica if it exits or times out
   * first. Only an answer carrying this replica's id in X-Served-By counts: reservePort found the port
   * free, but another process (another local shop starting at the same moment) may have taken it since,
   * and its 200 would route this shop to that process. Such a port is a PortTakenError.
   */
  async waitReady(timeoutMs: number): Promise<void> {
    const ready = await pollUntil(
      async () => {
        const exit = this.exit;
        if (exit) throw await this.exitedBeforeReady(exit);
        const answer = await probe(this.port, '/readyz');
        if (answer && answer.servedBy !== this.id) {
          const who = answer.servedBy === undefined ? 'a server without X-Served-By' : `replica ${answer.servedBy}`;
          throw new PortTakenError(
            `port ${this.port} of replica ${this.id} (${this.section}) answers as ${who}: another process holds it${portHolderHint(this.port)}`,
          );
        }
        return answer?.status === 200;
      },
      timeoutMs,
      100,
    );
    if (!ready)
      throw new Error(
        `replica ${this.id} (${this.section}) was not ready on port ${this.port} within ${timeoutMs / 1000} s${this.describeTail()}`,
      );
    this.readyTime = Date.now();
    this.onReady?.(this);
  }

  /** SIGTERM (the service drains), then SIGKILL after the timeout; resolves once the process is gone. */
  stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    return stopChild(this.child, this.exited, 'SIGTERM', timeoutMs);
  }

  /** Sends a signal without waiting (tests use SIGKILL to simulate a crash). */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  // EADDRINUSE in its output (the service says `cannot listen on ...: EADDRINUSE`), or someone else
  // listening there now: the port went to another process between reservePort and the replica's listen.
  private async exitedBeforeReady(exit: ProcessExit): Promise<Error> {
    await this.exited; // its cgroup's OOM count is read then
    const how = this.oomKilled ? 'was OOMKilled at its memory limit' : describeExit(exit);
    const message = `replica ${this.id} (${this.section}) ${how} before it was ready`;
    if (this.tail.some((line) => line.includes('EADDRINUSE')) || (await acceptsConnections(this.port)))
      return new PortTakenError(`${message}: port ${this.port} is held by another process${portHolderHint(this.port)}`);
    return new Error(`${message}${this.describeTail()}`);
  }

  private describeTail(): string {
    return this.tail.length > 0 ? `; last output:\n  ${this.tail.slice(-5).join('\n  ')}` : '';
  }
}

/** A replica's port answered, but not as that replica: the caller may start it again on another port. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

function portHolderHint(port: number): string {
  return ` (\`ss -ltnp 'sport = :${port}'\` names it)`;
}
