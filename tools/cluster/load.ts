import { buildCommand, type Builder } from '../images/builders.ts';
import type { SectionImage } from '../images/section-images.ts';
import { CLUSTER_NAME, minikube, type Provider } from './cluster.ts';
import { commandStep, type Plan, type Step } from './plan.ts';

/** Where podman-built images are saved as archives before kind/minikube import them. */
export const ARCHIVE_DIR = '.cluster/images';

/**
 * Builds every section's image, then copies it into the cluster's container runtime, so pods start
 * without a registry (the local environment's imagePullPolicy is IfNotPresent).
 */
export function loadPlan(provider: Provider, builder: Builder, images: readonly SectionImage[]): Plan {
  if (builder === 'buildah') {
    throw new Error('buildah images cannot be handed to kind/minikube directly: use --builder docker or --builder podman');
  }
  const build = images.map((image): Step => ({ type: 'command', cmd: buildCommand(builder, image) }));
  return { steps: [...build, ...(builder === 'docker' ? fromDocker(provider, images) : fromPodman(provider, images))] };
}

function fromDocker(provider: Provider, images: readonly SectionImage[]): Step[] {
  return images.map((image) =>
    provider === 'kind'
      ? commandStep(['kind', 'load', 'docker-image', '--name', CLUSTER_NAME, image.ref])
      : commandStep(minikube('image', 'load', image.ref)),
  );
}

// podman names a short reference localhost/<name>; the cluster's runtime resolves the manifests'
// `sweetshop/<section>:<tag>` as docker.io/sweetshop/<section>:<tag>, so the archive carries that name.
function fromPodman(provider: Provider, images: readonly SectionImage[]): Step[] {
  const steps: Step[] = [commandStep(['mkdir', '-p', ARCHIVE_DIR])];
  for (const image of images) {
    const archive = `${ARCHIVE_DIR}/${image.section}.tar`;
    const qualified = `docker.io/${image.ref}`;
    steps.push(
      commandStep(['podman', 'tag', image.ref, qualified]),
      commandStep(['podman', 'save', '--format', 'docker-archive', '--output', archive, qualified]),
      provider === 'kind'
        ? commandStep(['kind', 'load', 'image-archive', '--name', CLUSTER_NAME, archive])
        : commandStep(minikube('image', 'load', archive)),
    );
  }
  return steps;
}
