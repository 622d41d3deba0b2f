/**
 * A Deployment's spec.selector is immutable, and the chart's selector names the environment
 * (`app.kubernetes.io/instance: sweetshop-<env>`): deploying another environment into a namespace where one
 * already runs (local, then local-gateway, on one cluster) is refused by the API server, and `kubectl diff`
 * fails first with "field is immutable". Found by the kwok provider's real API server. Deploy therefore
 * lists such Deployments before the diff, and replaces them (delete, then the apply creates them) only with
 * consent: the section serves nothing until its new pods are ready.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parseAllDocuments } from 'yaml';

import { runCommand } from '../lib/command.ts';
import { kubectl, type Provider } from './cluster.ts';
import type { StepContext, TaskStep } from './runbook.ts';

type Selectors = Map<string, string>;

/** Deployment name -> its selector's matchLabels as canonical JSON, from the manifests in `dir`. */
export function renderedSelectors(dir: string): Selectors {
  const selectors: Selectors = new Map();
  for (const file of readdirSync(dir).filter((name) => /\.(ya?ml|json)$/.test(name))) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = document.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { selector?: unknown } } | null;
      if (object?.kind === 'Deployment' && object.metadata?.name) selectors.set(object.metadata.name, canonical(object.spec?.selector));
    }
  }
  return selectors;
}

/** The same for the live Deployments, from `kubectl get deployments --output=json`. */
export function liveSelectors(json: string): Selectors {
  const list = JSON.parse(json) as { items: { metadata: { name: string }; spec: { selector?: unknown } }[] };
  return new Map(list.items.map((item) => [item.metadata.name, canonical(item.spec.selector)]));
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
}

/** Names of the Deployments that exist live with another selector than the rendered one. */
export function changedSelectors(rendered: Selectors, live: Selectors): string[] {
  return [...rendered].filter(([name, selector]) => live.has(name) && live.get(name) !== selector).map(([name]) => name);
}

export function selectorChangeStep(provider: Provider, namespace: string, dir: string, yes: boolean): TaskStep {
  return {
    type: 'task',
    description:
      `Deployments in ${namespace} whose immutable spec.selector differs from ${dir}/ (another environment's) are deleted ` +
      'before the diff, with --yes or a yes at the prompt',
    run: async (context) => {
      const live = liveSelectors(
        await runCommand({ argv: kubectl(provider, '--namespace', namespace, 'get', 'deployments', '--output=json') }, pipe(context)),
      );
      const changed = changedSelectors(renderedSelectors(resolve(context.cwd, dir)), live);
      if (changed.length === 0) {
        context.log('  none');
        return;
      }
      await consent(changed, namespace, yes, context);
      const names = changed.map((name) => `deployment/${name}`);
      await runCommand({ argv: kubectl(provider, '--namespace', namespace, 'delete', ...names, '--wait=true') }, pipe(context));
      context.log(`  deleted ${names.join(', ')}; the apply creates them with the new selector`);
    },
  };
}

function pipe(context: StepContext) {
  return { cwd: context.cwd, env: context.env, stdout: 'pipe' as const };
}

async function consent(changed: readonly string[], namespace: string, yes: boolean, context: StepContext): Promise<void> {
  const named = `Deployments with another environment's selector in ${namespace} (${changed.length}): ${changed.join(', ')}`;
  context.log(`  ${named}`);
  if (yes) {
    context.log('  replacing them: --yes was given');
    return;
  }
  if (context.confirm === undefined) {
    throw new Error(
      `stopped before the diff: ${named}; a selector cannot change in place, so they must be deleted and created again ` +
        '(each section serves nothing until its new pods are ready). Re-run with --yes to replace them, or in a terminal to be asked.',
    );
  }
  if (!(await context.confirm('  Delete and re-create them? [y/N] '))) throw new Error(`stopped before the diff: not confirmed; ${named}`);
}
