import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { F5_NGINX_INGRESS_VERSION } from '../cluster/ingress-controllers.ts';
import { MONITORING_CHART } from '../cluster/monitoring.ts';
import { releaseSource } from './crd-pins.ts';
import type { Pin } from './pin.ts';
import { UPSTREAM_NOTES } from './upstreams.ts';

const FOLDER = 'tools/cluster';

// A release asset or a file at a tag: the tag is the pin (`controller-v1.15.1`: prefix `controller-`).
const RELEASE_URLS = [
  /https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/releases\/download\/([^/'"`\s]+)\//g,
  /https:\/\/raw\.githubusercontent\.com\/([\w.-]+\/[\w.-]+)\/([^/'"`\s]+)\//g,
];

/** The tag's prefix before its version: `controller-` of `controller-v1.15.1`, '' of `v1.9.0`. */
function tagPrefix(tag: string): string {
  return /^(.*?)v?\d/.exec(tag)?.[1] ?? '';
}

/** Controllers installed from a pinned release URL anywhere in tools/cluster/*.ts, one pin per repository and file. */
export function manifestPins(root: string): Pin[] {
  const pins = new Map<string, Pin>();
  for (const name of readdirSync(join(root, FOLDER))
    .filter((file) => file.endsWith('.ts'))
    .sort()) {
    const file = `${FOLDER}/${name}`;
    const text = readFileSync(join(root, file), 'utf8');
    for (const pattern of RELEASE_URLS) {
      for (const [, repo = '', tag = ''] of text.matchAll(pattern)) {
        const prefix = tagPrefix(tag);
        pins.set(`${repo} ${file}`, {
          name: repo,
          file,
          current: tag.slice(prefix.length),
          source: releaseSource(repo, prefix),
          note: UPSTREAM_NOTES[repo],
        });
      }
    }
  }
  return [...pins.values()];
}

/** F5's NGINX Ingress Controller, installed from the reviewed manifest tools/cluster/f5-nginx-ingress.yaml (its releases are tagged v<version>). */
export function vendoredControllerPins(): Pin[] {
  return [
    {
      name: 'nginx/kubernetes-ingress',
      file: `${FOLDER}/ingress-controllers.ts`,
      current: F5_NGINX_INGRESS_VERSION,
      source: releaseSource('nginx/kubernetes-ingress', 'v'),
      note: 'bump with the image tag and header of tools/cluster/f5-nginx-ingress.yaml',
    },
  ];
}

/** The Helm chart `cluster:up --monitoring` installs. */
export function chartPins(chart = MONITORING_CHART): Pin[] {
  return [
    {
      name: `${chart.name} (Helm chart)`,
      file: `${FOLDER}/monitoring.ts`,
      current: chart.version,
      source: { type: 'helm', repo: chart.repo, chart: chart.name },
    },
  ];
}
