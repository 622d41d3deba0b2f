import { parse } from 'yaml';

import type { Lookup, Pin } from '../pin.ts';
import { newestVersion } from '../versions.ts';
import { heldLine, onLine } from './held-line.ts';

/** Where the web lookups go; tests point them at a closed port. */
export interface WebEndpoints {
  readonly githubApi: string;
  readonly dockerHub: string;
}

export const DEFAULT_ENDPOINTS: WebEndpoints = { githubApi: 'https://api.github.com', dockerHub: 'https://hub.docker.com' };

const TIMEOUT_MS = 10_000;

/** The host named in "cannot check" messages: api.github.com is reported as github.com. */
function hostOf(url: string): string {
  const host = new URL(url).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

/**
 * Fetches text once per URL; after one host fails to answer, its other URLs fail at once with the same
 * message (four Actions on an unreachable GitHub are one wait, not four).
 */
export class WebClient {
  readonly #down = new Map<string, string>();

  async get(url: string, headers: Record<string, string> = {}): Promise<{ text: string } | { problem: string }> {
    const host = hostOf(url);
    const down = this.#down.get(host);
    if (down) return { problem: down };
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) return { problem: `cannot check: ${host} answered ${response.status} ${response.statusText}` };
      return { text: await response.text() };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      const problem = `cannot check: ${host} unreachable (${cause})`;
      this.#down.set(host, problem);
      return { problem };
    }
  }
}

async function githubRelease(client: WebClient, endpoints: WebEndpoints, repo: string, tagPrefix: string): Promise<Lookup> {
  const answer = await client.get(`${endpoints.githubApi}/repos/${repo}/releases/latest`, { accept: 'application/vnd.github+json' });
  if ('problem' in answer) return answer;
  const tag = (JSON.parse(answer.text) as { tag_name?: string }).tag_name ?? '';
  return tag.startsWith(tagPrefix)
    ? { latest: tag.slice(tagPrefix.length) }
    : { problem: `cannot check: ${repo}'s latest release is ${tag}, not a ${tagPrefix}tag` };
}

async function dockerHubTag(client: WebClient, endpoints: WebEndpoints, pin: Pin, repository: string, suffix: string): Promise<Lookup> {
  const [namespace, name] = repository.replace(/^docker\.io\//, '').split('/');
  const line = heldLine(pin) ?? '';
  const url = `${endpoints.dockerHub}/v2/namespaces/${namespace}/repositories/${name}/tags?page_size=100&name=${encodeURIComponent(`${line}.`)}`;
  const answer = await client.get(url);
  if ('problem' in answer) return answer;
  const tags = ((JSON.parse(answer.text) as { results?: { name: string }[] }).results ?? []).map((result) => result.name);
  const suffixed = tags.filter((tag) => tag.endsWith(suffix)).map((tag) => tag.slice(0, tag.length - suffix.length));
  const latest = newestVersion(suffixed.filter((tag) => /^\d+\.\d+\.\d+$/.test(tag) && onLine(tag, line)));
  return latest ? { latest } : { problem: `cannot check: no ${line}.x${suffix} tag of ${repository} on Docker Hub` };
}

async function helmChart(client: WebClient, repo: string, chart: string): Promise<Lookup> {
  const answer = await client.get(`${repo.replace(/\/$/, '')}/index.yaml`);
  if ('problem' in answer) return answer;
  const index = parse(answer.text) as { entries?: Record<string, { version: string }[]> };
  const latest = newestVersion((index.entries?.[chart] ?? []).map((entry) => entry.version));
  return latest ? { latest } : { problem: `cannot check: ${repo} lists no ${chart}` };
}

/** GitHub releases, Docker Hub tags and Helm repositories: each answered, or why it could not be. */
export async function webLookups(pins: readonly Pin[], endpoints: WebEndpoints = DEFAULT_ENDPOINTS): Promise<Map<Pin, Lookup>> {
  const client = new WebClient();
  const entries = await Promise.all(
    pins.map(async (pin): Promise<[Pin, Lookup]> => {
      const { source } = pin;
      if (source.type === 'github-release') return [pin, await githubRelease(client, endpoints, source.repo, source.tagPrefix)];
      if (source.type === 'docker-hub') return [pin, await dockerHubTag(client, endpoints, pin, source.repository, source.tagSuffix)];
      if (source.type === 'helm') return [pin, await helmChart(client, source.repo, source.chart)];
      return [pin, { problem: `cannot check: ${source.type} is not a web lookup` }];
    }),
  );
  return new Map(entries);
}
