import { execFileSync, type StdioOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private buildah/podman storage and settings in one temp directory, so a test run never touches the
 * machine's images and cleanup is `rm -rf`.
 */
export interface ContainerSandbox {
  readonly dir: string;
  /** Environment for every buildah/podman call (CONTAINERS_STORAGE_CONF, CONTAINERS_CONF). */
  readonly env: NodeJS.ProcessEnv;
  /** Runs buildah or podman in the sandbox; returns trimmed stdout, throws with stderr on failure or timeout. */
  run(tool: 'buildah' | 'podman', args: readonly string[], timeoutMs?: number): string;
  /** Removes every container and the storage. Safe to call twice. */
  cleanup(): void;
}

// Root podman asks for rlimits this kind of VM refuses ("error setting rlimit type 7"), and PID 1 is not
// systemd: fixed ulimits, cgroupfs and a file event log make it run here (see REFERENCE.md).
const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

export function createContainerSandbox(): ContainerSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'sweetshop-images-'));
  const graphroot = join(dir, 'storage');
  const runroot = join(dir, 'run');
  mkdirSync(graphroot);
  mkdirSync(runroot);
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${graphroot}"\nrunroot = "${runroot}"\n`);
  writeFileSync(join(dir, 'containers.conf'), CONTAINERS_CONF);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_CONF: join(dir, 'containers.conf'),
  };
  let cleaned = false;

  const run = (tool: 'buildah' | 'podman', args: readonly string[], timeoutMs = 120_000): string => {
    try {
      const stdio: StdioOptions = ['ignore', 'pipe', 'pipe'];
      return execFileSync(tool, args, { env, encoding: 'utf8', stdio, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }).trim();
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${tool} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
    }
  };

  const bestEffort = (tool: 'buildah' | 'podman', args: readonly string[]) => {
    try {
      run(tool, args);
    } catch {
      // cleanup continues: the storage directory is removed below either way
    }
  };

  return {
    dir,
    env,
    run,
    cleanup() {
      if (cleaned) return;
      cleaned = true;
      // Containers hold overlay mounts inside the storage directory: remove them before rm -rf.
      bestEffort('podman', ['rm', '--all', '--force', '--time', '0']);
      bestEffort('buildah', ['rm', '--all']);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // An overlay still mounted: unmount what is left under the sandbox, then retry.
        bestEffort('buildah', ['umount', '--all']);
        execFileSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r umount -l`], { stdio: 'ignore' });
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
