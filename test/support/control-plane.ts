// A real cluster for a test file: the kwok provider's own runbook (tools/cluster/kwok.ts) in a workdir and
// kubeconfig of the file's own, on ports chosen free, so test files can run side by side and never touch
// the user's ~/.kube/config or a `cluster:up -- --provider kwok` cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { EnvironmentConfig } from '../../config/index.ts';
import { environments } from '../../config/index.ts';
import { kubectl } from '../../tools/cluster/cluster.ts';
import { type KwokOptions, kwokDownRunbook, kwokUpRunbook } from '../../tools/cluster/kwok.ts';
import { freeKwokPorts } from '../../tools/cluster/kwok-cluster.ts';
import { executeRunbook, type Runbook } from '../../tools/cluster/runbook.ts';
import { controlPlaneProblem } from '../../tools/control-plane/build-state.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { skipWhen } from './system-tool.ts';

/**
 * Gate for suites that need the control plane (the value for node:test's `skip`): false when every
 * program is built and current. Otherwise CI (CI=true) gets a failing test and a laptop one loud line.
 */
export function skipUnlessControlPlane(): false | string {
  return skipWhen(controlPlaneProblem(), 'the control plane is built');
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestCluster {
  readonly workdir: string;
  /** The environment every command against this cluster runs with (its own KUBECONFIG). */
  readonly env: NodeJS.ProcessEnv;
  /** kubectl (the built one) on this cluster; never rejects: the result says how it went. */
  kubectl(args: readonly string[], input?: string): Promise<CommandResult>;
  /** kubectl that must succeed; its stdout parsed as JSON. */
  json<T = any>(...args: string[]): Promise<T>;
  /**
   * Runs one of the provider's runbooks against this cluster; resolves with its transcript (the runner's
   * lines and the commands' own output, in order), rejects with the error and the transcript's end.
   */
  run(runbook: Runbook): Promise<string>;
  stop(): Promise<void>;
}

function runKubectl(env: NodeJS.ProcessEnv, args: readonly string[], input?: string): Promise<CommandResult> {
  const [file, ...rest] = kubectl('kwok', ...args);
  return new Promise((resolve) => {
    const child = spawn(file!, rest, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface TestClusterOptions extends Pick<KwokOptions, 'componentArgs' | 'nodes' | 'envoyGateway'> {
  /** The environments whose prerequisites cluster:up provides (default: all). */
  readonly environments?: readonly EnvironmentConfig[];
}

/** Creates the cluster exactly as `npm run cluster:up -- --provider kwok` does, in a folder of its own. */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-kwok-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: join(workdir, 'kubeconfig') };
  const kwok: KwokOptions = { ...options, workdir, ports: await freeKwokPorts() };
  const run = async (runbook: Runbook) => {
    const transcript: string[] = [];
    try {
      await executeRunbook(runbook, {
        cwd: REPO_ROOT,
        env,
        log: (line) => transcript.push(`${line}\n`),
        output: (text) => transcript.push(text),
      });
      return transcript.join('');
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${transcript.join('').slice(-4000)}`);
    }
  };
  const cluster: TestCluster = {
    workdir,
    env,
    kubectl: (args, input) => runKubectl(env, args, input),
    async json(...args) {
      const result = await runKubectl(env, [...args, '--output=json']);
      assert.equal(result.status, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout);
    },
    run,
    async stop() {
      await run(kwokDownRunbook(kwok)).catch(() => undefined);
      rmSync(workdir, { recursive: true, force: true });
    },
  };
  try {
    await run(kwokUpRunbook(options.environments ?? Object.values(environments), kwok));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
