/** Test helpers: render an environment in memory and find objects by kind and name (never by index). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, Testing } from 'cdk8s';

import { CHART_ID } from '../../app/build-app.ts';
import { SweetShopChart } from '../../charts/sweetshop-chart.ts';
import type { EnvironmentConfig, RoutingConfig } from '../../config/types.ts';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: any;
};

/**
 * An app to hang charts on for in-memory rendering. Testing.app() would create an empty temp folder per
 * call (/tmp/cdk8s.outdir.*) and leave it behind; an App only writes to its outdir when synthesized to disk.
 */
export function testApp(): App {
  return new App({ outdir: join(tmpdir(), 'sweetshop-tests-never-written') });
}

export function render(environment: EnvironmentConfig): Manifest[] {
  return Testing.synth(new SweetShopChart(testApp(), CHART_ID, { environment })) as Manifest[];
}

export function findObject(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const matches = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  if (matches.length !== 1) throw new Error(`expected exactly one ${kind} named '${name}', found ${matches.length}`);
  return matches[0];
}

export function podSpecs(manifests: readonly Manifest[]): { owner: string; spec: any }[] {
  return manifests
    .filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(m.kind))
    .map((m) => ({ owner: `${m.kind}/${m.metadata.name}`, spec: m.spec.template.spec }))
    .concat(manifests.filter((m) => m.kind === 'Pod').map((m) => ({ owner: `Pod/${m.metadata.name}`, spec: m.spec })));
}

/** `environment` with its routing replaced: exactly the `ingress` or `gateway` given, never both. */
export function withRouting(environment: EnvironmentConfig, routing: RoutingConfig): EnvironmentConfig {
  const { ingress: _ingress, gateway: _gateway, ...settings } = environment;
  return { ...settings, ...routing } as EnvironmentConfig;
}
