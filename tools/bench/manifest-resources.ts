import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments } from 'yaml';

import { environments } from '../../app/environments/index.ts';
import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { BENCH_DIR } from './context.ts';

export interface ContainerMemory {
  environment: string;
  request: string;
  limit: string;
}

/**
 * The memory request and limit of a section's `service` container as the manifests carry them:
 * every environment is synthesized into .bench/ (never dist/) and the Deployment is read back, so the
 * comparison is with what a cluster would get, not with the config the chart is meant to copy.
 */
export function memoryFromManifests(section: string): ContainerMemory[] {
  return Object.values(environments).map((env) => {
    const dir = join(BENCH_DIR, `manifests-${env.name}`);
    synthesizeInto(env, dir);
    const texts = readdirSync(dir)
      .filter((file) => file.endsWith('.k8s.yaml'))
      .map((file) => readFileSync(join(dir, file), 'utf8'));
    return { environment: env.name, ...containerMemory(texts, section, `${env.name} manifests`) };
  });
}

/** Finds Deployment `<section>`, container `service`, and its resources.{requests,limits}.memory. */
export function containerMemory(yamlTexts: string[], section: string, where: string): { request: string; limit: string } {
  for (const text of yamlTexts) {
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: unknown[] } } } } | null;
      if (object?.kind !== 'Deployment' || object.metadata?.name !== section) continue;
      const containers = (object.spec?.template?.spec?.containers ?? []) as Array<{ name?: string; resources?: { requests?: { memory?: unknown }; limits?: { memory?: unknown } } }>;
      const container = containers.find((c) => c.name === 'service');
      const request = container?.resources?.requests?.memory;
      const limit = container?.resources?.limits?.memory;
      if (typeof request !== 'string' || typeof limit !== 'string') {
        throw new Error(`${where}: Deployment ${section} container service has no memory request and limit`);
      }
      return { request, limit };
    }
  }
  throw new Error(`${where}: no Deployment named ${section}`);
}
