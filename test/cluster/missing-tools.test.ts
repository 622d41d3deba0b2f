import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { missingToolsMessage } from '../../tools/cluster/required-tools.ts';
import { fakeBin } from './fake-tools.ts';

const binDir = mkdtempSync(join(tmpdir(), 'sweetshop-fake-bin-'));
after(() => rmSync(binDir, { recursive: true, force: true }));

/** Runs the cluster CLI with PATH limited to binDir, where only the fakes written by a test exist. */
function runCli(args: string[], extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const { KIND_EXPERIMENTAL_PROVIDER: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['tools/cluster/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...inherited, ...extraEnv, PATH: binDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fakeTool(name: string): void {
  const path = join(binDir, name);
  writeFileSync(path, '#!/bin/sh\necho "fake $0 must not run" >&2\nexit 99\n');
  chmodSync(path, 0o755);
}

describe('missing tools', () => {
  test('no container runtime for kind: one line naming what kind looks for and where to get Docker or Podman', () => {
    const fakes = fakeBin(['kind', 'kubectl']);
    try {
      const result = spawnSync(process.execPath, ['tools/cluster/main.ts', 'up', '--provider', 'kind'], {
        encoding: 'utf8',
        env: fakes.env(),
      });
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr,
        'cluster:up: kind finds no container runtime (it looks for docker, nerdctl, finch and podman): install Docker ' +
          '(https://docs.docker.com/get-docker/) or Podman (https://podman.io/docs/installation)\n',
      );
      assert.deepEqual(fakes.calls(), ['kind version'], 'kind get clusters never ran');
    } finally {
      fakes.remove();
    }
  });

  test('kind on podman (KIND_EXPERIMENTAL_PROVIDER=podman) asks for podman, not docker', () => {
    fakeTool('kind');
    fakeTool('kubectl');
    const result = runCli(['up', '--provider', 'kind'], { KIND_EXPERIMENTAL_PROVIDER: 'podman' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'cluster:up: podman is not installed: install it from https://podman.io/docs/installation\n');
  });

  test('several missing tools are listed on the same single line', () => {
    const result = runCli(['down', '--provider', 'minikube']);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'cluster:down: minikube is not installed: install it from https://minikube.sigs.k8s.io/docs/start/\n');
    assert.equal(
      missingToolsMessage(['docker', 'kind', 'kubectl', 'npm'], () => undefined),
      'docker, kind and kubectl are not installed: install docker from https://docs.docker.com/get-docker/, ' +
        'kind from https://kind.sigs.k8s.io/docs/user/quick-start/#installation, kubectl from https://kubernetes.io/docs/tasks/tools/',
    );
  });

  test('tools that come with Node and the OS (npm, mkdir) are not checked; all installed means no message', () => {
    assert.equal(
      missingToolsMessage(['npm', 'mkdir', 'kubectl'], (tool) => (tool === 'kubectl' ? undefined : `/bin/${tool}`)),
      'kubectl is not installed: install it from https://kubernetes.io/docs/tasks/tools/',
    );
    assert.equal(
      missingToolsMessage(['kubectl', 'minikube', 'docker'], (tool) => `/usr/bin/${tool}`),
      undefined,
    );
  });
});
