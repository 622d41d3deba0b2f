import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ephemeralPort, isPortFree, releasePort, reservePort } from '../../lib/process/ports.ts';
import { describeExit, type ProcessExit } from '../../lib/process/process-exit.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { type AutoscaleOptions, Autoscaler, type AutoscalerStatus, checkHpaSpeed, type ScaleTarget } from '../hpa/autoscaler.ts';
import { type AutoscalerSpec, readAutoscalerSpec } from '../hpa/autoscaler-spec.ts';
import { deploymentBodyLimit } from '../manifests/body-limit.ts';
import { readShopManifests } from '../manifests/read-manifests.ts';
import { checkAutoscaleTotal, resolveReplicaCounts } from '../manifests/replica-counts.ts';
import type { DeploymentSpec, ShopManifests } from '../manifests/types.ts';
import { type BalanceChoice, type LocalAlgorithm, NGINX_DEFAULT_BALANCE } from '../nginx/balance.ts';
import { renderBalancerConfig, renderFrontConfig } from '../nginx/nginx-config.ts';
import { findNginx, NginxProcess } from '../nginx/nginx-process.ts';
import { PeriodicProbe } from '../supervisor/probes.ts';
import { ProcessGuard } from '../supervisor/process-guard.ts';
import { describeLeftovers } from '../supervisor/process-record.ts';
import { PortTakenError, ReplicaProcess } from '../supervisor/replica-process.ts';
import { type CgroupHierarchy, findCgroupHierarchy, ReplicaCgroup } from '../supervisor/resource-limits.ts';
import type { ServiceCommand } from '../supervisor/service-command.ts';
import { makeShopTempDir } from '../supervisor/shop-temp-dir.mjs';
import { podName } from './pod-names.ts';
import { type RolloutHost, type RolloutStep, rollOut } from './rollout.ts';
import { convergeSection, type ScalingHost } from './section-scaling.ts';
import { SerialQueue } from './serial-queue.ts';

/** contracts.md: nginx on LOCAL_PORT 8080, replicas on loopback ports from 8000 upward. */
export const DEFAULT_LOCAL_PORT = 8080;
export const DEFAULT_REPLICA_BASE_PORT = 8000;

// What a replica inherits from the supervisor: a pod sees only its Deployment's env, plus these to run node.
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'NODE_EXTRA_CA_CERTS'];
// The service's own drain cap is 10 s (DRAIN_TIMEOUT_MS); SIGKILL only past that plus a margin.
const REPLICA_STOP_TIMEOUT_MS = 15_000;
// Starts of one replica when its port keeps being taken by another process before it listens.
const PORT_ATTEMPTS = 5;
// Restarts of one nginx (front or balancer) per run after its master died; past that the shop stops:
// something keeps killing it, and a shop that answers only now and then hides that.
const NGINX_RESTARTS = 5;

export interface StartLocalShopOptions {
  /**
   * Runs each replica inside its container's resources.limits, as the kubelet does (resource-limits.ts):
   * the CPU limit as a CFS quota, the memory limit as a memory cgroup whose OOM kill restarts the replica.
   * Where cgroups cannot be written (a rootless laptop) the shop says so once and runs them unlimited.
   * @default true
   */
  readonly resourceLimits?: boolean;
  /** Directory of the synthesized manifests. @default `<repo>/dist` */
  readonly manifestsDir?: string;
  /** Overrides the Ingress annotations. @default - the annotations, else round robin */
  readonly balance?: LocalAlgorithm;
  /** Replica count per section, overriding the HPA minReplicas. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** nginx listen port on 127.0.0.1; 0 picks a free one. @default 8080 */
  readonly port?: number;
  /** Extra env for every replica, e.g. `{ SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: '20' }`. */
  readonly replicaEnv?: Readonly<Record<string, string>>;
  /** First loopback port tried for replicas. @default 8000 */
  readonly basePort?: number;
  /** Receives replica output lines and supervisor messages (the CLI prints them). @default - discarded */
  readonly onEvent?: (event: ShopEvent) => void;
  /** How long a replica may take to answer 200 on /readyz. @default 30000 */
  readonly readyTimeoutMs?: number;
  /** How to start a replica. @default `node service/src/server.ts` in the repository root */
  readonly serviceCommand?: ServiceCommand;
  /**
   * Put a front nginx that never reloads on `port`, forwarding to the balancing nginx, so client
   * keep-alive connections survive rollouts. false: the balancer listens on `port` itself (one hop
   * less, for throughput measurements), and each rollout reload may reset a few client connections.
   * @default true
   */
  readonly stableFront?: boolean;
  /** Per-replica env overrides by section, applied last (tests slow down one replica this way). */
  readonly replicaEnvFor?: (section: string, index: number) => Readonly<Record<string, string>> | undefined;
  /**
   * A file where the shop keeps the pid and start time of every process it runs. A later start given
   * the same file first stops what a supervisor killed with -9 left running (the watchdog normally
   * has already), and says so in one event. The CLI uses `<state dir>/processes.json`.
   * @default - no file: the watchdog alone stops what a killed supervisor leaves
   */
  readonly processFile?: string;
  /**
   * Runs each section's HPA from the manifests (min, max, cpu target, behaviour) against the replicas:
   * it samples their CPU and starts or drains replicas as the Kubernetes HPA controller would.
   * `speed` divides every HPA period and window. `replicas` then only sets the starting counts.
   * @default - no autoscaling: the counts stay as started
   */
  readonly autoscale?: AutoscaleOptions;
}

/** A replica as the handle reports it. */
export interface LocalReplica {
  readonly section: string;
  readonly id: string;
  readonly port: number;
  readonly pid: number;
  /**
   * Set once the process has ended on its own (a crash, a kill -9): it stays listed, as a crashed pod
   * would, until a rollout replaces it. undefined while it runs.
   */
  readonly exit?: ProcessExit;
  /** Set while a replica added by a scale-out has not answered /readyz yet (it is not in nginx). */
  readonly starting?: true;
  /** In nginx: answered /readyz, runs, and passes its readinessProbe (the manifests' period and thresholds). */
  readonly ready: boolean;
  /** Restarts after its livenessProbe failed or an OOM kill (the pod's restartCount): the same name, a new process. */
  readonly restarts: number;
  /** Why the process before this one ended, where it was the memory limit (a pod's lastState.terminated.reason). */
  readonly lastTerminationReason?: 'OOMKilled';
}

/** One section (Deployment) and its HPA, as `status` shows them. */
export interface SectionStatus {
  /** Replica processes: in nginx, starting, or gone (a crashed one stays listed until replaced). */
  readonly replicas: number;
  /** The count the section converges to: the HPA's desired count, else the count it started with. */
  readonly desiredReplicas: number;
  /** Average cpu of its replicas, percent of the request; null without an HPA or before the HPA computed it. */
  readonly cpuUtilization: number | null;
  /** The rest is null for a section without autoscaling. */
  readonly hpa: string | null;
  readonly minReplicas: number | null;
  readonly maxReplicas: number | null;
  readonly targetCPUUtilization: number | null;
  readonly lastScaleTime: string | null;
  /** `New size: 4; reason: ...` of the last rescale. */
  readonly lastScaleEvent: string | null;
  /** The HPA's status.conditions (AbleToScale, ScalingActive, ScalingLimited), as the API shows them. */
  readonly conditions: ReadonlyArray<{ type: string; status: 'True' | 'False'; reason: string; message: string }> | null;
}

export type ShopEvent =
  | {
      readonly type: 'replica-output';
      readonly section: string;
      readonly replica: string;
      readonly stream: 'stdout' | 'stderr';
      readonly line: string;
    }
  | { readonly type: 'message'; readonly level: 'info' | 'warn'; readonly message: string };

export type { RolloutStep } from './rollout.ts';

export interface LocalShop {
  /** `http://127.0.0.1:<port>`, the nginx in front of every section. */
  readonly url: string;
  readonly port: number;
  /** The balancing nginx runs with, and why. */
  readonly balance: BalanceChoice;
  /** Current replicas (a fresh snapshot on every read: a rollout replaces them). */
  readonly replicas: LocalReplica[];
  /** Per section (Deployment name): its replica count and, under `autoscale`, its HPA's status. */
  readonly sections: Readonly<Record<string, SectionStatus>>;
  /** Rolling restart of one section (or all, in manifest order), one replica at a time. */
  rolloutRestart(section?: string, onStep?: (step: RolloutStep) => void): Promise<RolloutStep[]>;
  /** Stops nginx, then drains every replica, then removes the temp directory. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves once the shop has stopped: after stop(), or on its own when an nginx whose master died
   * could not be started again (the events say why).
   */
  readonly stopped: Promise<void>;
}

/**
 * Runs the synthesized shop on this machine: every Deployment's replicas as real service processes,
 * the real nginx in front routing the Ingress paths. Resolves once every replica is ready and nginx
 * listens; on any failure everything started so far is stopped before the error is thrown.
 */
export async function startLocalShop(options: StartLocalShopOptions = {}): Promise<LocalShop> {
  const manifests = readShopManifests(options.manifestsDir ?? join(REPO_ROOT, 'dist'));
  const counts = resolveReplicaCounts(manifests.deployments, options.replicas);
  // Checked before anything starts: a manifest --autoscale cannot run is one error listing every problem.
  const autoscalers = options.autoscale ? manifests.deployments.flatMap((d) => readAutoscalerSpec(d) ?? []) : [];
  if (options.autoscale) {
    checkHpaSpeed(options.autoscale.speed ?? 1);
    checkAutoscaleTotal(counts, autoscalers);
  }
  const balance: BalanceChoice = options.balance
    ? { algorithm: options.balance, source: '--balance' }
    : (manifests.balance ?? NGINX_DEFAULT_BALANCE);
  const nginxBinary = findNginx();
  checkPortOption('port', options.port ?? DEFAULT_LOCAL_PORT, 0);
  checkPortOption('basePort', options.basePort ?? DEFAULT_REPLICA_BASE_PORT, 1);
  const emit = (message: string): void => options.onEvent?.({ type: 'message', level: 'warn', message });

  // One shop per process record from here on; what a killed run left is stopped before the port check.
  const guard = await ProcessGuard.start(options.processFile, emit);
  const leftovers = guard.leftovers && describeLeftovers(guard.leftovers);
  if (leftovers) emit(leftovers);
  let shop: Shop;
  try {
    const port = options.port === 0 ? await ephemeralPort() : (options.port ?? DEFAULT_LOCAL_PORT);
    if (!(await isPortFree(port)))
      throw new Error(
        `port ${port} is already in use on 127.0.0.1: stop what uses it (\`ss -ltnp 'sport = :${port}'\` names it) or pass another port (--port)`,
      );
    shop = new Shop(manifests, balance, port, nginxBinary, guard, options);
  } catch (error) {
    await guard.close();
    throw error;
  }
  try {
    await shop.start(counts);
  } catch (error) {
    await shop.stop();
    throw error;
  }
  if (options.autoscale) shop.startAutoscaling(autoscalers, options.autoscale);
  return shop;
}

function checkPortOption(name: string, port: number, lowest: number): void {
  if (!Number.isInteger(port) || port < lowest || port > 65_535) throw new Error(`${name} ${port}: expected ${lowest}..65535`);
}

class Shop implements LocalShop, ScaleTarget {
  readonly url: string;
  private readonly prefix = makeShopTempDir();
  // Running replicas per Deployment, in upstream order.
  private readonly current = new Map<string, ReplicaProcess[]>();
  // Every process started and not yet reaped, including a rollout's half-started ones.
  private readonly live = new Set<ReplicaProcess>();
  private readonly revisions = new Map<string, number>();
  // Two nginx processes: the balancer (reloaded on rollouts) and the front on LOCAL_PORT (never
  // reloaded, so client keep-alive connections survive rollouts); see renderFrontConfig.
  private balancer: NginxProcess | undefined;
  private front: NginxProcess | undefined;
  private balancerPort = 0;
  private rollout: Promise<RolloutStep[]> | undefined;
  private stopping: Promise<void> | undefined;
  // Scale-outs' replicas until they are ready (not in nginx yet), per Deployment.
  private readonly starting = new Map<string, Set<ReplicaProcess>>();
  // The count each Deployment converges to (its spec.replicas; the HPA sets it).
  private readonly wanted = new Map<string, number>();
  private readonly converging = new Set<string>();
  // Rollouts and scaling both change the replicas and reload nginx: one change at a time, in order.
  /** Replica-set changes (rollouts, scaling, restarts), one at a time: a rollout never races a scale-in. */
  private readonly changes = new SerialQueue();
  private autoscaler: Autoscaler | undefined;
  /** nginx reloads and restarts, one at a time, inside whichever change asks for them. */
  private readonly nginxChanges = new SerialQueue();
  private readonly nginxRestarts = { balancer: 0, front: 0 };
  // The readiness and liveness probes of each replica, from its first /readyz 200 until it stops.
  private readonly probes = new Map<ReplicaProcess, PeriodicProbe[]>();
  private markStopped!: () => void;
  readonly stopped = new Promise<void>((resolve) => {
    this.markStopped = resolve;
  });
  private readonly killOnExit = (): void => {
    for (const replica of this.live) replica.kill('SIGKILL');
    this.front?.killNow();
    this.balancer?.killNow();
    rmSync(this.prefix, { recursive: true, force: true });
    void this.guard.close();
  };

  private readonly manifests: ShopManifests;
  readonly balance: BalanceChoice;
  readonly port: number;
  private readonly nginxBinary: string;
  private cgroupHierarchy: CgroupHierarchy | string | undefined;
  private cgroupProblem: string | undefined;
  private cgroupCount = 0;
  // Stops every process this shop started if the supervisor dies without stop() (kill -9, crash).
  private readonly guard: ProcessGuard;
  private readonly options: StartLocalShopOptions;

  constructor(
    manifests: ShopManifests,
    balance: BalanceChoice,
    port: number,
    nginxBinary: string,
    guard: ProcessGuard,
    options: StartLocalShopOptions,
  ) {
    this.manifests = manifests;
    this.balance = balance;
    this.port = port;
    this.nginxBinary = nginxBinary;
    this.guard = guard;
    this.options = options;
    this.url = `http://127.0.0.1:${port}`;
    guard.ownTempDir(this.prefix);
    // Safety net if the supervisor exits without stop() (process.exit, an uncaught error): no replica
    // outlives it. A SIGKILL runs no hook at all: the guard's watchdog covers that.
    process.on('exit', this.killOnExit);
  }

  get replicas(): LocalReplica[] {
    const describe = (r: ReplicaProcess, starting: boolean): LocalReplica => {
      const exit = r.exit;
      return {
        section: r.section,
        id: r.id,
        port: r.port,
        pid: r.pid,
        ...(exit ? { exit } : {}),
        ...(starting ? { starting: true } : {}),
        ready: r.ready,
        restarts: r.restarts,
        ...(r.lastTerminationReason ? { lastTerminationReason: r.lastTerminationReason } : {}),
      };
    };
    return [...this.current.keys()].flatMap((section) => [
      ...this.current.get(section)!.map((r) => describe(r, false)),
      ...[...this.starting.get(section)!].map((r) => describe(r, true)),
    ]);
  }

  get sections(): Record<string, SectionStatus> {
    const hpas = new Map((this.autoscaler?.statuses ?? []).map((status) => [status.section, status]));
    return Object.fromEntries(
      [...this.current.keys()].map((section) => [
        section,
        sectionStatus(this.replicasOf(section).length, this.wanted.get(section)!, hpas.get(section)),
      ]),
    );
  }

  replicasOf(section: string): ReplicaProcess[] {
    return [...(this.current.get(section) ?? []), ...(this.starting.get(section) ?? [])];
  }

  wantedReplicas(section: string): number {
    return this.wanted.get(section)!;
  }

  /**
   * The section converges to `replicas`, as a ReplicaSet does: new replicas join nginx once ready;
   * removed ones leave nginx first and drain after. Idempotent; a change in flight picks up the new count.
   */
  setReplicas(section: string, replicas: number): void {
    const deployment = this.manifests.deployments.find((d) => d.name === section);
    if (!deployment) throw new Error(`scale: unknown section ${section}`);
    this.wanted.set(section, replicas);
    if (this.stopping || this.converging.has(section) || this.current.get(section)!.length === replicas) return;
    this.converging.add(section);
    const host: ScalingHost = {
      isStopping: () => this.stopping !== undefined,
      readyTimeoutMs: this.options.readyTimeoutMs ?? 30_000,
      spawn: (index) => this.spawnReplica(deployment, index),
      reloadBalancer: () => this.reloadBalancer(),
      retire: (replica) => this.retire(replica),
      emit: (level, message) => this.emit(level, message),
    };
    const ofSection = { section, inNginx: this.current.get(section)!, starting: this.starting.get(section)! };
    this.changes
      .run(() => convergeSection(host, ofSection, () => this.wanted.get(section)!))
      .catch((error: Error) => {
        if (!this.stopping) this.emit('warn', `scale ${section}: ${error.message}`);
      })
      .finally(() => this.converging.delete(section));
  }

  startAutoscaling(specs: readonly AutoscalerSpec[], options: AutoscaleOptions): void {
    this.autoscaler = new Autoscaler(specs, this, { ...options, onEvent: (level, message) => this.emit(level, message) });
    this.autoscaler.start();
    const speed = options.speed ?? 1;
    this.emit(
      'info',
      `autoscaling ${specs.map((s) => s.target).join(', ') || 'nothing (no HPA)'}${speed === 1 ? '' : `, every HPA period and window / ${speed}`}`,
    );
  }

  async start(counts: Map<string, number>): Promise<void> {
    if (this.balance.note) this.emit('warn', `${this.balance.source}: ${this.balance.note}`);
    // Spawned one after another so each section's ports are contiguous (8000, 8001 for chocolates, ...);
    // they start up concurrently all the same.
    const spawned: Array<{ deployment: DeploymentSpec; replicas: ReplicaProcess[]; index: number }> = [];
    for (const deployment of this.manifests.deployments) {
      const replicas: ReplicaProcess[] = [];
      this.current.set(deployment.name, replicas);
      this.starting.set(deployment.name, new Set());
      this.wanted.set(deployment.name, counts.get(deployment.name)!);
      this.revisions.set(deployment.name, 1);
      for (let index = 0; index < counts.get(deployment.name)!; index++) {
        replicas.push(await this.spawnReplica(deployment, index));
        spawned.push({ deployment, replicas, index });
      }
    }
    this.emit('info', `waiting for ${spawned.length} replicas to answer /readyz`);
    // Fails fast with the first replica that exits or times out; the caller then stops the rest.
    await Promise.all(
      spawned.map(async ({ deployment, replicas, index }) => {
        replicas[index] = await this.untilReady(deployment, index, replicas[index]!);
      }),
    );
    const stableFront = this.options.stableFront ?? true;
    this.balancerPort = stableFront ? await ephemeralPort() : this.port;
    this.balancer = await this.startNginx('balancer');
    if (!stableFront) {
      this.emit(
        'info',
        `nginx ${this.balancer.pid} on ${this.url} (${this.balance.algorithm}, from ${this.balance.source}; no stable front)`,
      );
      return;
    }
    this.front = await this.startNginx('front');
    this.emit(
      'info',
      `nginx balancer ${this.balancer.pid} on 127.0.0.1:${this.balancerPort} (${this.balance.algorithm}, from ${this.balance.source})`,
    );
    this.emit('info', `nginx front ${this.front.pid} on ${this.url}, forwarding to the balancer`);
  }

  rolloutRestart(section?: string, onStep?: (step: RolloutStep) => void): Promise<RolloutStep[]> {
    if (this.stopping) return Promise.reject(new Error('the local shop is stopping'));
    if (this.rollout) return Promise.reject(new Error('a rollout is already in progress'));
    const names = this.manifests.deployments.map((d) => d.name);
    if (section !== undefined && !names.includes(section)) {
      return Promise.reject(new Error(`rollout restart: unknown section ${section} (the manifests have ${names.join(', ')})`));
    }
    const deployments = this.manifests.deployments.filter((d) => section === undefined || d.name === section);
    this.rollout = this.changes
      .run(() => this.rollOut(deployments, onStep))
      .finally(() => {
        this.rollout = undefined;
      });
    return this.rollout;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private rollOut(deployments: readonly DeploymentSpec[], onStep?: (step: RolloutStep) => void): Promise<RolloutStep[]> {
    const host: RolloutHost = {
      isStopping: () => this.stopping !== undefined,
      inNginx: (section) => this.current.get(section)!,
      newRevision: (section) => this.revisions.set(section, this.revisions.get(section)! + 1),
      spawn: (deployment, index) => this.spawnReplica(deployment, index),
      untilReady: (deployment, index, replica) => this.untilReady(deployment, index, replica),
      reloadBalancer: (options) => this.reloadBalancer(options),
      retire: (replica) => this.retire(replica),
      emit: (level, message) => this.emit(level, message),
    };
    return rollOut(host, deployments, onStep);
  }

  /**
   * Resolves with the replica once it is ready. One whose port another process took between reservePort
   * and its listen (another local shop starting at the same moment) is stopped and replaced by a new one
   * on another port, up to PORT_ATTEMPTS starts. On any other failure the replica is stopped and the
   * error thrown.
   */
  private async untilReady(deployment: DeploymentSpec, index: number, first: ReplicaProcess): Promise<ReplicaProcess> {
    let replica = first;
    for (let attempt = 1; ; attempt++) {
      try {
        await replica.waitReady(this.options.readyTimeoutMs ?? 30_000);
        return replica;
      } catch (error) {
        await this.retire(replica);
        if (!(error instanceof PortTakenError) || attempt === PORT_ATTEMPTS || this.stopping) throw error;
        this.emit('warn', `${error.message}; starting ${deployment.name} again on another port`);
        replica = await this.spawnReplica(deployment, index);
      }
    }
  }

  /** Starts the front or the balancer nginx with its current config, supervised: see nginxExited. */
  private async startNginx(role: 'balancer' | 'front'): Promise<NginxProcess> {
    const prefix = join(this.prefix, role);
    const [config, port] =
      role === 'balancer'
        ? [this.renderConfig(), this.balancerPort]
        : [
            renderFrontConfig({ prefix, listenPort: this.port, balancerPort: this.balancerPort, maxBodyBytes: this.largestBodyLimit() }),
            this.port,
          ];
    const nginx = await NginxProcess.start(this.nginxBinary, prefix, config, port, this.guard);
    if (this.stopping) {
      await nginx.stop(); // shutDown has stopped the one it knew of; this one is not its to stop
      throw new Error('interrupted: the local shop is stopping');
    }
    void nginx.exited.then(() => this.nginxExited(role, nginx));
    return nginx;
  }

  /**
   * A master that exits while the shop runs (kill -9, the OOM killer) has had its orphaned workers
   * killed (NginxProcess) and is started again on the same port with the current config, behind any
   * reload under way; a reload that was waiting on it fails and is rolled back by its caller. If it
   * cannot be started again, the shop stops rather than run half-routed.
   */
  private nginxExited(role: 'balancer' | 'front', nginx: NginxProcess): void {
    if (this.stopping || nginx.isStopping) return;
    const restarts = ++this.nginxRestarts[role];
    this.emit('warn', `nginx ${role} ${nginx.pid} ${describeExit(nginx.exit!)} unexpectedly; its workers were stopped; starting it again`);
    const restart = this.nginxChanges.run(async () => {
      if (restarts > NGINX_RESTARTS) throw new Error(`its master died ${restarts} times in this run`);
      const next = await this.startNginx(role);
      this[role] = next;
      const port = role === 'balancer' ? this.balancerPort : this.port;
      this.emit('info', `nginx ${role} ${next.pid} on 127.0.0.1:${port} (started again)`);
    });
    restart.catch((error: Error) => {
      if (this.stopping) return;
      this.emit('warn', `nginx ${role} could not be started again (${error.message}): stopping the shop`);
      void this.stop();
    });
  }

  // Replicas of one scale-out get ready at about the same time: one nginx reload after the other.
  private reloadBalancer(options: { drain?: boolean } = {}): Promise<void> {
    return this.nginxChanges.run(async () => {
      // stop() may have stopped nginx meanwhile: its pid is no longer ours to signal.
      if (this.stopping) throw new Error('interrupted: the local shop is stopping');
      return this.balancer!.reload(this.renderConfig(), options);
    });
  }

  private async spawnReplica(
    deployment: DeploymentSpec,
    index: number,
    restartOf?: { id: string; restarts: number; reason?: 'OOMKilled' },
  ): Promise<ReplicaProcess> {
    const port = await reservePort(this.options.basePort ?? DEFAULT_REPLICA_BASE_PORT);
    // stop() may have begun during that await; shutDown only retires replicas already in `live`.
    if (this.stopping) {
      releasePort(port);
      throw new Error('rollout interrupted: the local shop is stopping');
    }
    const id = restartOf?.id ?? podName(deployment.name, JSON.stringify(deployment.env), this.revisions.get(deployment.name)!);
    const cgroup = this.cgroupFor(deployment, id);
    const replica = new ReplicaProcess({
      section: deployment.name,
      id,
      port,
      env: this.replicaEnv(deployment, id, port, index),
      command: this.options.serviceCommand ?? { executable: process.execPath, args: ['service/src/server.ts'], cwd: REPO_ROOT },
      onLine: (r, line, stream) => this.options.onEvent?.({ type: 'replica-output', section: r.section, replica: r.id, stream, line }),
      watcher: this.guard,
      restarts: restartOf?.restarts ?? 0,
      ...(restartOf?.reason ? { lastTerminationReason: restartOf.reason } : {}),
      onReady: (r) => this.startProbes(deployment, r),
      ...(cgroup ? { cgroup } : {}),
    });
    this.live.add(replica);
    void replica.exited.then(() => {
      this.live.delete(replica);
      for (const probe of this.probes.get(replica) ?? []) probe.stop();
      this.probes.delete(replica);
      releasePort(port);
      if (!replica.isStopping && !this.stopping) {
        if (replica.oomKilled && replica.readyAt !== undefined) {
          this.oomKilled(deployment, replica);
          return;
        }
        // A crash (not the memory limit) stays listed as gone until a rollout replaces it.
        this.emit('warn', `replica ${id} (${deployment.name}, port ${port}) ${describeExit(replica.exit!)} unexpectedly`);
        if (this.current.get(deployment.name)?.includes(replica)) this.dropFromNginx(replica);
      }
    });
    return replica;
  }

  /**
   * The replica's cgroup with its container's limits, or undefined when limits are off or cannot be
   * written here (said once, the first time).
   */
  private cgroupFor(deployment: DeploymentSpec, id: string): ReplicaCgroup | undefined {
    if (this.options.resourceLimits === false || this.cgroupProblem !== undefined) return undefined;
    try {
      if (this.cgroupHierarchy === undefined) {
        this.cgroupHierarchy = findCgroupHierarchy(readFileSync('/proc/self/cgroup', 'utf8'));
        if (typeof this.cgroupHierarchy !== 'string') ReplicaCgroup.sweep(this.cgroupHierarchy);
      }
      if (typeof this.cgroupHierarchy === 'string') throw new Error(this.cgroupHierarchy);
      return ReplicaCgroup.create(this.cgroupHierarchy, `${process.pid}-${id}-${++this.cgroupCount}`, deployment.limits);
    } catch (error) {
      this.cgroupProblem = (error as Error).message;
      this.emit('warn', `replicas run without their manifests' cpu and memory limits: cannot create cgroups (${this.cgroupProblem})`);
      return undefined;
    }
  }

  /** What the kubelet does when a container is OOM-killed: the pod's restartCount goes up and it starts again. */
  private oomKilled(deployment: DeploymentSpec, replica: ReplicaProcess): void {
    const limit = deployment.limits.memoryBytes === undefined ? '' : ` (${Math.round(deployment.limits.memoryBytes / 2 ** 20)} MiB)`;
    this.emit('warn', `replica ${replica.id} (${deployment.name}) was OOMKilled at its memory limit${limit}: restarting it`);
    this.changes
      .run(() => this.restartReplica(deployment, replica, 'OOMKilled'))
      .catch((error: Error) => {
        if (!this.stopping) this.emit('warn', `replica ${replica.id} could not be restarted: ${error.message}`);
      });
  }

  /**
   * The kubelet's probes, with the manifests' period, timeout and thresholds, from the replica's first
   * /readyz 200 (local mode's startup check) on. A failing readinessProbe takes the replica out of
   * nginx (reload without waiting for the old workers: they may hold requests stuck on it) until it
   * passes again; a failing livenessProbe restarts it.
   */
  private startProbes(deployment: DeploymentSpec, replica: ReplicaProcess): void {
    const probes: PeriodicProbe[] = [];
    const { readinessProbe, livenessProbe } = deployment;
    const where = (): string => `replica ${replica.id} (${deployment.name}, port ${replica.port})`;
    const ignore = (): boolean => this.stopping !== undefined || replica.isStopping || !replica.running;
    if (readinessProbe) {
      probes.push(
        new PeriodicProbe(readinessProbe, replica.port, (passing) => {
          if (ignore()) return;
          replica.setProbeReady(passing);
          const message = passing
            ? `${where()} passes its readinessProbe again: back in nginx`
            : `${where()} failed its readinessProbe ${readinessProbe.failureThreshold} times in a row (GET ${readinessProbe.path}, every ${readinessProbe.periodSeconds} s): out of nginx until it passes`;
          // Said once nginx's new workers route that way; status shows the verdict at once.
          if (!this.current.get(deployment.name)?.includes(replica)) return this.emit(passing ? 'info' : 'warn', message);
          this.reloadBalancer({ drain: false }).then(
            () => this.emit(passing ? 'info' : 'warn', message),
            (error: Error) => {
              if (!this.stopping) this.emit('warn', `${where()}: nginx reload after its readinessProbe changed failed: ${error.message}`);
            },
          );
        }),
      );
    }
    if (livenessProbe) {
      probes.push(
        new PeriodicProbe(livenessProbe, replica.port, (passing) => {
          if (passing || ignore()) return;
          this.emit(
            'warn',
            `${where()} failed its livenessProbe ${livenessProbe.failureThreshold} times in a row (GET ${livenessProbe.path}, every ${livenessProbe.periodSeconds} s): restarting it`,
          );
          this.changes
            .run(() => this.restartReplica(deployment, replica))
            .catch((error: Error) => {
              if (!this.stopping) this.emit('warn', `${where()} could not be restarted: ${error.message}`);
            });
        }),
      );
    }
    this.probes.set(replica, probes);
  }

  /**
   * What the kubelet does on a liveness failure: the container is stopped (SIGTERM, SIGKILL after the
   * pod's grace period, at most REPLICA_STOP_TIMEOUT_MS here) and started again under the same name,
   * its restart count one higher; it rejoins nginx once ready. Queued with the other changes.
   */
  private async restartReplica(deployment: DeploymentSpec, replica: ReplicaProcess, reason?: 'OOMKilled'): Promise<void> {
    const replicas = this.current.get(deployment.name)!;
    const index = replicas.indexOf(replica);
    if (index === -1 || this.stopping || replica.isStopping) return; // replaced or removed meanwhile
    replica.setProbeReady(false);
    await this.reloadBalancer({ drain: false });
    await replica.stop(Math.min(deployment.terminationGracePeriodSeconds * 1_000, REPLICA_STOP_TIMEOUT_MS));
    const fresh = await this.spawnReplica(deployment, index, {
      id: replica.id,
      restarts: replica.restarts + 1,
      ...(reason ? { reason } : {}),
    });
    replicas[index] = fresh; // listed (not ready) while it starts
    replicas[index] = await this.untilReady(deployment, index, fresh);
    await this.reloadBalancer();
    this.emit('info', `replica ${fresh.id} restarted (restart ${fresh.restarts}, port ${replicas[index]!.port}): ready, back in nginx`);
  }

  /**
   * A replica that died leaves nginx at once, as the endpoints controller drops a pod that is not ready:
   * its port is free again, and whatever binds it next (another local shop's replica) must get none of
   * this shop's traffic. Not behind the changes queued before it (a scale-out may wait up to its ready timeout):
   * only behind reloads already under way, and a reload renders only running replicas.
   */
  private dropFromNginx(replica: ReplicaProcess): void {
    if (!this.balancer) return; // still starting: start() fails on it anyway
    this.reloadBalancer()
      .then(() => this.emit('info', `${replica.id} out of nginx; it stays listed as gone until a rollout replaces it`))
      .catch((error: Error) => {
        if (!this.stopping) this.emit('warn', `${replica.id} could not be taken out of nginx: ${error.message}`);
      });
  }

  private replicaEnv(deployment: DeploymentSpec, id: string, port: number, index: number): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    for (const variable of deployment.env) env[variable.name] = 'podName' in variable ? id : variable.value;
    Object.assign(env, this.options.replicaEnv, this.options.replicaEnvFor?.(deployment.name, index));
    // The Deployment says PORT=8080 (the container port); locally every replica needs its own.
    env.PORT = String(port);
    // Loopback only: a pod's port is not reachable from outside the cluster either.
    env.HOST = '127.0.0.1';
    env.REPLICA_ID = id;
    return env;
  }

  private renderConfig(): string {
    return renderBalancerConfig({
      prefix: join(this.prefix, 'balancer'),
      listenPort: this.balancerPort,
      balance: this.balance.algorithm,
      // Only running replicas: the port of one that died may belong to another process by now.
      upstreams: this.manifests.services.map((s) => ({
        name: s.name,
        ports: (this.current.get(s.deployment) ?? []).filter((r) => r.ready).map((r) => r.port),
      })),
      locations: this.manifests.routes.map((r) => ({
        path: r.path,
        pathType: r.pathType,
        upstream: r.service,
        maxBodyBytes: this.bodyLimitOf(r.service),
      })),
    });
  }

  /** The body limit of the Deployment behind a Service: nginx refuses larger bodies itself, in JSON. */
  private bodyLimitOf(service: string): number | undefined {
    const name = this.manifests.services.find((s) => s.name === service)?.deployment;
    const deployment = this.manifests.deployments.find((d) => d.name === name);
    return deployment === undefined ? undefined : deploymentBodyLimit(deployment);
  }

  /** The largest of the routes' body limits, which the front refuses above; undefined if one has none. */
  private largestBodyLimit(): number | undefined {
    const limits = this.manifests.routes.map((r) => this.bodyLimitOf(r.service));
    return limits.some((l) => l === undefined) ? undefined : Math.max(...(limits as number[]));
  }

  private async retire(replica: ReplicaProcess): Promise<void> {
    await replica.stop(REPLICA_STOP_TIMEOUT_MS);
  }

  private async shutDown(): Promise<void> {
    this.autoscaler?.stop();
    // A rollout or scaling in flight notices `stopping` at its next step; its replicas are in `live` anyway.
    // Front first: no new requests come in; then the balancer, then the replicas drain.
    await this.front?.stop();
    await this.balancer?.stop();
    // A restart of an nginx under way stops what it started itself (startNginx).
    await this.nginxChanges.idle();
    await Promise.all([...this.live].map((r) => this.retire(r)));
    await this.changes.idle();
    // Before the guard closes: its watchdog would remove the directory too, at the same time.
    rmSync(this.prefix, { recursive: true, force: true });
    await this.guard.close();
    process.off('exit', this.killOnExit);
    this.markStopped();
  }

  private emit(level: 'info' | 'warn', message: string): void {
    this.options.onEvent?.({ type: 'message', level, message });
  }
}

function sectionStatus(replicas: number, wanted: number, hpa: AutoscalerStatus | undefined): SectionStatus {
  const conditions = hpa
    ? Object.entries(hpa.conditions).map(([type, c]) => ({
        type,
        status: c.status ? ('True' as const) : ('False' as const),
        reason: c.reason,
        message: c.message,
      }))
    : null;
  return {
    replicas,
    desiredReplicas: hpa?.desiredReplicas ?? wanted,
    cpuUtilization: hpa?.cpuUtilization ?? null,
    hpa: hpa?.hpa ?? null,
    minReplicas: hpa?.minReplicas ?? null,
    maxReplicas: hpa?.maxReplicas ?? null,
    targetCPUUtilization: hpa?.targetCPUUtilization ?? null,
    lastScaleTime: hpa?.lastScale?.time ?? null,
    lastScaleEvent: hpa?.lastScale ? `New size: ${hpa.lastScale.to}; reason: ${hpa.lastScale.reason}` : null,
    conditions,
  };
}
