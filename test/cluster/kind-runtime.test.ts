// kind's node runtime, found the way kind finds it (KIND_EXPERIMENTAL_PROVIDER, else docker, then
// nerdctl/finch, then podman, by their `-v` line), with fake executables on PATH that record their calls.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { detectKindRuntime, inspectKindRuntime } from '../../tools/cluster/kind-runtime.ts';
import { type FakeBin, type FakeTool, fakeBin, overrideFake } from './fake-tools.ts';

let bin: FakeBin | undefined;
afterEach(() => bin?.remove());

function installed(...tools: FakeTool[]): FakeBin {
  bin = fakeBin(tools);
  return bin;
}

describe('which runtime kind uses', () => {
  test('docker when `docker -v` says Docker, even if podman is installed too', async () => {
    const fakes = installed('docker', 'podman');
    assert.equal((await detectKindRuntime(fakes.env()))?.runtime, 'docker');
    assert.deepEqual(fakes.calls(), ['docker -v']);
  });

  test('podman when no docker is installed: nothing to export (the old check demanded docker)', async () => {
    const fakes = installed('podman');
    assert.deepEqual(await detectKindRuntime(fakes.env()), {
      runtime: 'podman',
      reason: 'found as kind looks for it: docker, then nerdctl or finch, then podman',
    });
  });

  test("podman behind podman-docker's `docker` shim: its `docker -v` says podman, so kind skips docker", async () => {
    const fakes = installed('podman');
    overrideFake(fakes, 'docker', 'echo "podman version 5.4.2"');
    assert.equal((await detectKindRuntime(fakes.env()))?.runtime, 'podman');
  });

  test('nerdctl comes before podman, as in kind', async () => {
    const fakes = installed('nerdctl', 'podman');
    assert.equal((await detectKindRuntime(fakes.env()))?.runtime, 'nerdctl');
  });

  test('KIND_EXPERIMENTAL_PROVIDER decides without probing anything', async () => {
    const fakes = installed('docker', 'podman');
    assert.deepEqual(await detectKindRuntime(fakes.env({ KIND_EXPERIMENTAL_PROVIDER: 'podman' })), {
      runtime: 'podman',
      reason: 'KIND_EXPERIMENTAL_PROVIDER=podman',
    });
    assert.deepEqual(fakes.calls(), []);
  });

  test('a value kind does not know is ignored, as kind ignores it', async () => {
    const fakes = installed('podman');
    assert.equal((await detectKindRuntime(fakes.env({ KIND_EXPERIMENTAL_PROVIDER: 'containerd' })))?.runtime, 'podman');
  });

  test('none installed: undefined', async () => {
    assert.equal(await detectKindRuntime(installed().env()), undefined);
  });
});

describe('the runtime answers', () => {
  test('a docker CLI without a daemon fails here, naming the cause and podman as the way out', async () => {
    const fakes = installed('docker', 'podman');
    await assert.rejects(inspectKindRuntime(fakes.env({ FAKE_DOCKER_DOWN: '1' })), {
      message:
        'kind would use docker (found as kind looks for it: docker, then nerdctl or finch, then podman), but ' +
        "`docker info --format '{{json .SecurityOptions}}'` failed: Cannot connect to the Docker daemon at " +
        'unix:///var/run/docker.sock. Is the docker daemon running?; start the docker daemon, or use podman: ' +
        'export KIND_EXPERIMENTAL_PROVIDER=podman',
    });
  });

  test('without podman installed, the only advice is to start docker', async () => {
    const fakes = installed('docker');
    await assert.rejects(
      inspectKindRuntime(fakes.env({ FAKE_DOCKER_DOWN: '1' })),
      /Is the docker daemon running\?; start the docker daemon$/,
    );
  });

  test('rootless is read from `info`: docker security options, podman Host.Security.Rootless', async () => {
    const docker = installed('docker');
    assert.deepEqual(await inspectKindRuntime(docker.env({ FAKE_DOCKER_SECURITY: '["name=seccomp,profile=builtin","name=rootless"]' })), {
      runtime: 'docker',
      reason: 'found as kind looks for it: docker, then nerdctl or finch, then podman',
      rootless: true,
    });
    assert.deepEqual(docker.calls(), ['docker -v', 'docker info --format {{json .SecurityOptions}}']);
    docker.remove();
    const podman = installed('podman');
    assert.equal((await inspectKindRuntime(podman.env({ FAKE_PODMAN_ROOTLESS: 'true' }))).rootless, true);
    assert.equal((await inspectKindRuntime(podman.env({ FAKE_PODMAN_ROOTLESS: 'false' }))).rootless, false);
  });

  test('no runtime at all: one line with both install links', async () => {
    await assert.rejects(inspectKindRuntime(installed().env()), {
      message:
        'kind finds no container runtime (it looks for docker, nerdctl, finch and podman): install Docker ' +
        '(https://docs.docker.com/get-docker/) or Podman (https://podman.io/docs/installation)',
    });
  });
});
