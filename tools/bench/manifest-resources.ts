import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environments } from '../../config/index.ts';
import { parseManifestFile } from '../local/manifests/read-manifests.ts';
import { SCRATCH_DIR } from '../measure/scratch.ts';

export interface ContainerMemory {
  environment: string;
  request: string;
  limit: string;
}

/** Kubernetes objects as local mode parses them (kind, metadata.name, body). */
type ManifestObjects = ReturnType<typeof parseManifestFile>;

/**
 * The memory request and limit of a section's `service` container as the manifests carry them:
 * every environment is synthesized into .bench/ (never dist/) and the Deployment is read back, so the
 * comparison is with what a cluster would get, not with the config the chart is meant to copy.
 */
export function memoryFromManifests(section: string): ContainerMemory[] {
  return Object.values(environments).map((env) => {
    const dir = join(SCRATCH_DIR, `manifests-${env.name}`);
    synthesizeInto(env, dir);
    const objects = readdirSync(dir)
      .filter((file) => file.endsWith('.k8s.yaml'))
      .flatMap((file) => parseManifestFile(join(dir, file), readFileSync(join(dir, file), 'utf8')));
    return { environment: env.name, ...containerMemory(objects, section, `${env.name} manifests`) };
  });
}

/** Finds Deployment `<section>`, container `service`, and its resources.{requests,limits}.memory. */
export function containerMemory(objects: ManifestObjects, section: string, where: string): { request: string; limit: string } {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.name === section);
  if (!deployment) throw new Error(`${where}: no Deployment named ${section}`);
  const spec = deployment.body.spec as { template?: { spec?: { containers?: unknown[] } } } | undefined;
  const containers = (spec?.template?.spec?.containers ?? []) as Array<{
    name?: string;
    resources?: { requests?: { memory?: unknown }; limits?: { memory?: unknown } };
  }>;
  const container = containers.find((c) => c.name === 'service');
  const request = container?.resources?.requests?.memory;
  const limit = container?.resources?.limits?.memory;
  if (typeof request !== 'string' || typeof limit !== 'string') {
    throw new Error(`${where}: Deployment ${section} container service has no memory request and limit`);
  }
  return { request, limit };
}
