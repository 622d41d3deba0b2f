import { spawnSync } from 'node:child_process';

import type { Command } from '../lib/command.ts';
import { findExecutable } from '../lib/find-executable.ts';
import type { SectionImage } from './section-images.ts';

/** Tools that can build service/Dockerfile, in auto-detection order. */
export const BUILDERS = ['docker', 'podman', 'buildah'] as const;
export type Builder = (typeof BUILDERS)[number];

const DOCKERFILE = 'service/Dockerfile';
/** The Dockerfile COPYs package.json, tsconfig.json and service/ from here: the repository root. */
const BUILD_CONTEXT = '.';

function isBuilder(name: string): name is Builder {
  return (BUILDERS as readonly string[]).includes(name);
}

/** What detection may look at; injectable so tests need no container tools. */
export interface BuilderProbe {
  /** Path of an installed executable, else undefined. */
  readonly find: (tool: string) => string | undefined;
  /** Whether the docker CLI reaches a daemon (the CLI alone cannot build). */
  readonly dockerDaemonUp: () => boolean;
}

const systemProbe: BuilderProbe = {
  find: (tool) => findExecutable(tool),
  dockerDaemonUp: () => spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 15_000 }).status === 0,
};

/**
 * The first usable builder: docker when its daemon answers, else podman, else buildah.
 * Throws one line saying what to install (or start) when none is usable.
 */
export function detectBuilder(probe: BuilderProbe = systemProbe): Builder {
  const dockerInstalled = probe.find('docker') !== undefined;
  if (dockerInstalled && probe.dockerDaemonUp()) return 'docker';
  if (probe.find('podman')) return 'podman';
  if (probe.find('buildah')) return 'buildah';
  if (dockerInstalled) {
    throw new Error(
      'docker is installed but its daemon is not reachable (`docker info` failed): start Docker, or install podman or buildah',
    );
  }
  throw new Error(
    'no image builder found: install Docker (https://docs.docker.com/get-docker/), or podman or buildah (apt-get install podman buildah)',
  );
}

/** The `--builder` option of `images` and `cluster:load`: the named builder, else the detected one. */
export function chooseBuilder(option: string | undefined, probe: BuilderProbe = systemProbe): Builder {
  if (option === undefined) return detectBuilder(probe);
  if (!isBuilder(option)) throw new Error(`--builder must be one of ${BUILDERS.join(', ')}, got '${option}'`);
  return option;
}

export interface BuildOptions {
  /** Overrides the Dockerfile's BASE_IMAGE default. */
  readonly baseImage?: string;
  /** Never pull: the base image must already be local (podman/buildah `--pull=never`; docker never pulls a present image). */
  readonly offline?: boolean;
}

/** The exact build command for one section's image. */
export function buildCommand(builder: Builder, image: SectionImage, options: BuildOptions = {}): Command {
  const head = builder === 'buildah' ? ['buildah', 'bud', '--layers'] : [builder, 'build'];
  const pull = options.offline && builder !== 'docker' ? ['--pull=never'] : [];
  const base = options.baseImage ? ['--build-arg', `BASE_IMAGE=${options.baseImage}`] : [];
  return {
    argv: [
      ...head,
      ...pull,
      '--file',
      DOCKERFILE,
      '--build-arg',
      `SHOP_SECTION=${image.section}`,
      ...base,
      '--tag',
      image.ref,
      BUILD_CONTEXT,
    ],
  };
}
