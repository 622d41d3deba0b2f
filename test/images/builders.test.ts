import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { environments } from '../../config/index.ts';
import { type BuilderProbe, buildCommand, detectBuilder } from '../../tools/images/builders.ts';
import { sectionImages } from '../../tools/images/section-images.ts';
import { formatCommand } from '../../tools/lib/command.ts';

function probe(installed: string[], dockerDaemonUp = true): BuilderProbe {
  return { find: (tool) => (installed.includes(tool) ? `/usr/bin/${tool}` : undefined), dockerDaemonUp: () => dockerDaemonUp };
}

describe('builder detection', () => {
  test('prefers docker when its daemon answers, then podman, then buildah', () => {
    assert.equal(detectBuilder(probe(['docker', 'podman', 'buildah'])), 'docker');
    assert.equal(detectBuilder(probe(['podman', 'buildah'])), 'podman');
    assert.equal(detectBuilder(probe(['buildah'])), 'buildah');
  });

  test('a docker CLI without a daemon is skipped (this is the case on CI machines)', () => {
    assert.equal(detectBuilder(probe(['docker', 'buildah'], false)), 'buildah');
    assert.throws(() => detectBuilder(probe(['docker'], false)), {
      message: 'docker is installed but its daemon is not reachable (`docker info` failed): start Docker, or install podman or buildah',
    });
  });

  test('nothing installed: one line saying what to install', () => {
    assert.throws(() => detectBuilder(probe([])), /^Error: no image builder found: install Docker .*podman or buildah/);
  });
});

describe('build commands', () => {
  const chocolates = { section: 'chocolates', ref: 'sweetshop/chocolates:0.1.0' } as const;

  test('every builder builds service/Dockerfile from the repository root with the section build argument', () => {
    assert.equal(
      formatCommand(buildCommand('docker', chocolates)),
      'docker build --file service/Dockerfile --build-arg SHOP_SECTION=chocolates --tag sweetshop/chocolates:0.1.0 .',
    );
    assert.equal(
      formatCommand(buildCommand('podman', chocolates)),
      'podman build --file service/Dockerfile --build-arg SHOP_SECTION=chocolates --tag sweetshop/chocolates:0.1.0 .',
    );
    // buildah caches layers only when asked; the three sections share every stage but the last steps.
    assert.equal(
      formatCommand(buildCommand('buildah', chocolates)),
      'buildah bud --layers --file service/Dockerfile --build-arg SHOP_SECTION=chocolates --tag sweetshop/chocolates:0.1.0 .',
    );
  });

  test('--base-image and --offline map onto BASE_IMAGE and --pull=never', () => {
    const options = { baseImage: 'localhost/node:24', offline: true };
    assert.equal(
      formatCommand(buildCommand('podman', chocolates, options)),
      'podman build --pull=never --file service/Dockerfile --build-arg SHOP_SECTION=chocolates --build-arg BASE_IMAGE=localhost/node:24 --tag sweetshop/chocolates:0.1.0 .',
    );
    // docker never pulls an image it has; its --pull means "always".
    assert.doesNotMatch(formatCommand(buildCommand('docker', chocolates, options)), /--pull/);
  });
});

describe('image names', () => {
  test('come from the environment config, so what is built is what the Deployments pull', () => {
    for (const [name, env] of Object.entries(environments)) {
      const images = sectionImages(env);
      assert.deepEqual(
        images.map((i) => i.section),
        ['chocolates', 'candies', 'cakes'],
        name,
      );
      for (const image of images) {
        const { repository, tag } = env.sections[image.section].image;
        assert.equal(image.ref, `${repository}:${tag}`);
      }
    }
  });

  test('npm run images --dry-run prints one build per section', () => {
    const stdout = execFileSync(process.execPath, ['tools/images/main.ts', '--dry-run', '--builder', 'docker', '--section', 'cakes'], {
      encoding: 'utf8',
    });
    assert.equal(stdout, 'docker build --file service/Dockerfile --build-arg SHOP_SECTION=cakes --tag sweetshop/cakes:0.1.0 .\n');
  });

  test('an unknown section or builder is one clear line and exit 1', () => {
    for (const [args, message] of [
      [['--section', 'fudge'], "images: unknown section 'fudge': choose from chocolates, candies, cakes\n"],
      [['--builder', 'kaniko'], "images: --builder must be one of docker, podman, buildah, got 'kaniko'\n"],
    ] as const) {
      try {
        execFileSync(process.execPath, ['tools/images/main.ts', '--dry-run', ...args], { encoding: 'utf8', stdio: 'pipe' });
        assert.fail('expected exit 1');
      } catch (error) {
        const { status, stderr } = error as { status: number; stderr: string };
        assert.equal(status, 1);
        assert.equal(stderr, message);
      }
    }
  });
});
