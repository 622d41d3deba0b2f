// What the kubelet enforces from a container's resources.limits, done for a local replica: the CPU limit as
// a CFS quota (cgroup v1 cpu.cfs_quota_us per 100 ms period, cgroup v2 cpu.max) and the memory limit as its
// memory cgroup's limit (memory.limit_in_bytes, memory.max), so the kernel's OOM killer ends a replica that
// grows past it, as it ends a container. Each replica process gets a cgroup of its own, joined before the
// service starts (a shell writes its pid, then execs the service), and removed once it has exited.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseQuantity } from '../../../config/quantity.ts';
import { isJsonObject } from '../../lib/json-object.ts';
import type { ServiceCommand } from './service-command.ts';

/** A container's limits in base units; a limit the manifest leaves out is not enforced. */
export interface ContainerLimits {
  readonly cpuCores?: number;
  readonly memoryBytes?: number;
}

/** Where this machine's cgroups are, for the cgroup version it runs. */
export type CgroupHierarchy =
  | { readonly version: 1; readonly cpuDir: string; readonly memoryDir: string }
  | { readonly version: 2; readonly dir: string };

const CFS_PERIOD_US = 100_000;
/** Every replica cgroup of local mode lives under this folder of the supervisor's own cgroup. */
const PARENT = 'sweetshop-local';

/** resources.limits.cpu and .memory of a container spec's `resources`, as numbers. */
export function readContainerLimits(resources: unknown): ContainerLimits {
  const limits = isJsonObject(resources) && isJsonObject(resources.limits) ? resources.limits : {};
  const cpuCores = limits.cpu === undefined ? undefined : parseQuantity(String(limits.cpu));
  const memoryBytes = limits.memory === undefined ? undefined : parseQuantity(String(limits.memory));
  return { ...(cpuCores ? { cpuCores } : {}), ...(memoryBytes ? { memoryBytes: Math.floor(memoryBytes) } : {}) };
}

/**
 * The cgroups this process may create children in, read from /proc/self/cgroup: v2 when the unified
 * hierarchy holds the cpu and memory controllers, else v1's cpu and memory hierarchies. A string says why
 * there are none.
 */
export function findCgroupHierarchy(selfCgroup: string, root = '/sys/fs/cgroup'): CgroupHierarchy | string {
  const lines = selfCgroup
    .trim()
    .split('\n')
    .map((line) => line.split(':'))
    .map(([, controllers = '', ...path]) => ({ controllers: controllers.split(','), path: path.join(':') }));
  const unified = lines.find((line) => line.controllers.length === 1 && line.controllers[0] === '');
  const v1 = (name: string) => lines.find((line) => line.controllers.includes(name));
  const cpu = v1('cpu');
  const memory = v1('memory');
  if (cpu && memory) {
    const mountOf = (entry: { controllers: string[] }) => join(root, entry.controllers.join(','));
    return { version: 1, cpuDir: join(mountOf(cpu), cpu.path), memoryDir: join(mountOf(memory), memory.path) };
  }
  if (unified && existsSync(join(root, 'cgroup.controllers'))) {
    const dir = join(root, unified.path);
    const available = readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/);
    if (!available.includes('cpu') || !available.includes('memory')) return 'cgroup v2 without the cpu and memory controllers';
    return { version: 2, dir };
  }
  return 'no cgroup v1 cpu and memory hierarchies and no cgroup v2';
}

/** One replica process's cgroup(s), created with its limits before the process starts. */
export class ReplicaCgroup {
  private readonly dirs: readonly string[];
  private readonly hierarchy: CgroupHierarchy;

  private constructor(hierarchy: CgroupHierarchy, dirs: readonly string[]) {
    this.hierarchy = hierarchy;
    this.dirs = dirs;
  }

  /** Creates `name`'s cgroup under the supervisor's and writes the limits; throws (EACCES, EROFS) where it may not. */
  static create(hierarchy: CgroupHierarchy, name: string, limits: ContainerLimits): ReplicaCgroup {
    const quota = limits.cpuCores === undefined ? undefined : Math.max(1_000, Math.round(limits.cpuCores * CFS_PERIOD_US));
    if (hierarchy.version === 1) {
      const cpu = join(hierarchy.cpuDir, PARENT, name);
      const memory = join(hierarchy.memoryDir, PARENT, name);
      for (const dir of [cpu, memory]) mkdirSync(dir, { recursive: true });
      writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
      writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(quota ?? -1));
      if (limits.memoryBytes !== undefined) writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      return new ReplicaCgroup(hierarchy, [cpu, memory]);
    }
    const parent = join(hierarchy.dir, PARENT);
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, 'cgroup.subtree_control'), '+cpu +memory');
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.max'), `${quota ?? 'max'} ${CFS_PERIOD_US}`);
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes ?? 'max'));
    // As the kubelet: no swap, so the limit is what the process may hold.
    writeFileSync(join(dir, 'memory.swap.max'), '0');
    return new ReplicaCgroup(hierarchy, [dir]);
  }

  /**
   * Removes the empty cgroups of supervisors that are gone (their names start with the supervisor's pid):
   * a supervisor killed with -9 cannot remove its own.
   */
  static sweep(hierarchy: CgroupHierarchy): void {
    const parents = hierarchy.version === 1 ? [hierarchy.cpuDir, hierarchy.memoryDir] : [hierarchy.dir];
    for (const parent of parents.map((dir) => join(dir, PARENT)).filter((dir) => existsSync(dir))) {
      for (const entry of readdirSync(parent, { withFileTypes: true }).filter((each) => each.isDirectory())) {
        const pid = Number(entry.name.split('-')[0]);
        if (Number.isInteger(pid) && !existsSync(`/proc/${pid}`)) {
          try {
            rmdirSync(join(parent, entry.name));
          } catch {
            // A process of it still runs: it is not stale.
          }
        }
      }
    }
  }

  /** The memory cgroup (the folder whose memory limit a test may lower). */
  get memoryDir(): string {
    return this.dirs.at(-1)!;
  }

  /** `command`, started by a shell that first moves itself into these cgroups, then execs it (same pid). */
  wrap(command: ServiceCommand): ServiceCommand {
    const join = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';
    const procs = this.dirs.map((dir) => `${dir}/cgroup.procs`);
    return {
      ...command,
      executable: '/bin/sh',
      args: ['-c', join, 'sh', String(procs.length), ...procs, command.executable, ...command.args],
    };
  }

  /** How many processes of this cgroup the kernel's OOM killer has ended (memory.oom_control / memory.events). */
  oomKills(): number {
    const file = this.hierarchy.version === 1 ? 'memory.oom_control' : 'memory.events';
    try {
      return Number(/^oom_kill (\d+)$/m.exec(readFileSync(join(this.memoryDir, file), 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** Removes the cgroup(s); call once the process has exited (a cgroup with a process cannot be removed). */
  remove(): void {
    for (const dir of this.dirs) {
      try {
        rmdirSync(dir);
      } catch {
        // Still busy or already gone: a later start's sweep removes what is empty.
      }
    }
  }
}
