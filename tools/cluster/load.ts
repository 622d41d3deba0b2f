import { type Builder, buildCommand } from '../images/builders.ts';
import type { SectionImage } from '../images/section-images.ts';
import { kind, minikube, type Provider } from './cluster.ts';
import { commandStep, type Runbook, type Step } from './runbook.ts';

/** Where podman-built images are saved as archives before kind/minikube import them. */
const ARCHIVE_DIR = '.cluster/images';

/**
 * Builds every section's image, then copies it into the cluster's container runtime, so pods start
 * without a registry (the local environment's imagePullPolicy is IfNotPresent).
 */
export function loadRunbook(provider: Provider, builder: Builder, images: readonly SectionImage[]): Runbook {
  if (builder === 'buildah') {
    throw new Error('buildah images cannot be handed to kind/minikube directly: use --builder docker or --builder podman');
  }
  const steps: Step[] = images.map((image) => ({ type: 'command', cmd: buildCommand(builder, image) }));
  if (builder === 'docker') {
    for (const image of images) steps.push(loadInto(provider, 'docker-image', image.ref));
    return { steps };
  }
  // podman names a short reference localhost/<name>; the cluster's runtime resolves the manifests'
  // `sweetshop/<section>:<tag>` as docker.io/sweetshop/<section>:<tag>, so the archive carries that name.
  steps.push(commandStep(['mkdir', '-p', ARCHIVE_DIR]));
  for (const image of images) {
    const archive = `${ARCHIVE_DIR}/${image.section}.tar`;
    const qualified = `docker.io/${image.ref}`;
    steps.push(
      commandStep(['podman', 'tag', image.ref, qualified]),
      commandStep(['podman', 'save', '--format', 'docker-archive', '--output', archive, qualified]),
      loadInto(provider, 'image-archive', archive),
    );
  }
  return { steps };
}

/** kind names where the image comes from; `minikube image load` takes a reference or an archive alike. */
function loadInto(provider: Provider, kindSource: 'docker-image' | 'image-archive', image: string): Step {
  return commandStep(provider === 'kind' ? kind('load', kindSource, image) : minikube('image', 'load', image));
}
