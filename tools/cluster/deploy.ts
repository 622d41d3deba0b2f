import { resolve } from 'node:path';

import type { EnvironmentConfig } from '../../config/index.ts';
import { SECTION_NAMES } from '../../config/index.ts';
import type { Command } from '../lib/command.ts';
import {
  APPLYSET_ENV,
  applySetFlag,
  applySetId,
  applySetParent,
  labelledManifests,
  MIN_KUBECTL_MINOR,
  prunedObjects,
} from './apply-set.ts';
import { kubeContext, kubectl, kubectlProgram, type Provider, rolloutStatus } from './cluster.ts';
import { GATEWAY_NAME } from './envoy-gateway.ts';
import { manifestsCurrentCheck } from './reviewed-manifests.ts';
import { type ConfirmStep, commandStep, type ProbeStep, type Runbook, type Step } from './runbook.ts';
import { renderedSelectors, selectorChangeStep } from './selector-change.ts';

/** Where deploy keeps what it renders and compares (git-ignored): manifests/<env> and diff/<env>.k8s.yaml. */
const STATE_DIR = '.cluster';
/** The committed manifests: dist/ holds exactly the `local` environment (a test keeps it fresh). */
const COMMITTED = { environment: 'local', dir: 'dist' } as const;

export interface DeployOptions {
  /** Delete what pruning would delete without asking (`--yes`). */
  readonly yes?: boolean;
  /**
   * Apply the manifests already in this folder instead of rendering the environment (tests deploy edited
   * renderings this way, e.g. one with a section removed).
   */
  readonly manifests?: string;
  /** Instead of .cluster/: a folder of its own for a test's cluster, so two deploys of one environment never share files. */
  readonly stateDir?: string;
}

/**
 * Shows what will change on the live cluster, then applies exactly the reviewed manifests with server-side
 * apply and ApplySet pruning, and waits for every rollout and for a Gateway it renders to be programmed
 * (Envoy Gateway has started its proxy). `local` deploys the committed dist/ (checked to be current); any
 * other environment is synthesized into .cluster/manifests/<env> first, never into dist/.
 */
export function deployRunbook(provider: Provider, env: EnvironmentConfig, options: DeployOptions = {}): Runbook {
  const committed = env.name === COMMITTED.environment && options.manifests === undefined;
  const state = options.stateDir ?? STATE_DIR;
  const dir = options.manifests ?? (committed ? COMMITTED.dir : `${state}/manifests/${env.name}`);
  const render = options.manifests !== undefined ? [] : committed ? [manifestsCurrentCheck(env, dir)] : synthSteps(env, state, dir);
  return {
    steps: [
      kubectlVersionProbe(provider),
      contextProbe(provider),
      ...existingGatewayProbe(provider, env),
      ...render,
      namespaceStep(provider, env.namespace),
      selectorChangeStep(provider, env.namespace, dir, options.yes ?? false),
      ...diffSteps(provider, env, dir, `${state}/diff/${env.name}.k8s.yaml`),
      pruneConfirmation(provider, env.namespace, dir, options.yes ?? false),
      { type: 'command', cmd: applyCommand(provider, env.namespace, dir) },
      ...deploymentsOf(options.manifests).map((name) => commandStep(rolloutStatus(provider, env.namespace, name))),
      ...(env.gateway?.className === undefined
        ? []
        : [
            commandStep(
              kubectl(
                provider,
                '--namespace',
                env.namespace,
                'wait',
                '--for=condition=Programmed',
                `gateway/${GATEWAY_NAME}`,
                '--timeout=180s',
              ),
            ),
          ]),
    ],
  };
}

/** The Deployments whose rollouts deploy waits for: every section's, or those of the given manifests. */
function deploymentsOf(manifests: string | undefined): string[] {
  return manifests === undefined ? [...SECTION_NAMES] : [...renderedSelectors(manifests).keys()];
}

function synthSteps(env: EnvironmentConfig, state: string, dir: string): Step[] {
  return [
    // npm run synth stages next to its output folder, so the parent must exist.
    commandStep(['mkdir', '-p', `${state}/manifests`]),
    commandStep(['npm', 'run', '--silent', 'synth', '--', '--env', env.name, '--out', dir]),
  ];
}

/** The cluster's kubectl context must exist: without it every later step fails with "context was not found". */
function contextProbe(provider: Provider): ProbeStep {
  const context = kubeContext(provider);
  return {
    type: 'probe',
    cmd: { argv: [kubectlProgram(provider), 'config', 'get-contexts', context, '--output=name', '--no-headers'] },
    expectation: `must list ${context}`,
    verify: (stdout) =>
      stdout.trim() === context
        ? undefined
        : `kubectl has no context ${context}: create the cluster first (npm run cluster:up${provider === 'kind' ? '' : ` -- --provider ${provider}`})`,
  };
}

/**
 * An environment that attaches its HTTPRoute to a Gateway it does not render (production's platform Gateway)
 * needs that Gateway on this cluster: cluster:up creates none, and a route without its parent serves nothing.
 */
function existingGatewayProbe(provider: Provider, env: EnvironmentConfig): ProbeStep[] {
  const existing = env.gateway?.existingGateway;
  if (existing === undefined) return [];
  const expected = `gateway.gateway.networking.k8s.io/${existing.name}`;
  return [
    {
      type: 'probe',
      cmd: {
        argv: kubectl(
          provider,
          '--namespace',
          existing.namespace,
          'get',
          'gateways.gateway.networking.k8s.io',
          existing.name,
          '--ignore-not-found',
          '--output=name',
        ),
      },
      expectation: `must print ${expected}`,
      verify: (stdout) =>
        stdout.trim() === expected
          ? undefined
          : `${env.name}.gateway.existingGateway is ${existing.namespace}/${existing.name}, which ${kubeContext(provider)} does not have: ` +
            'create that Gateway first, or deploy --env local-gateway (it renders its own)',
    },
  ];
}

function clientVersion(stdout: string): { major?: string; minor?: string } | undefined {
  return (JSON.parse(stdout) as { clientVersion?: { major?: string; minor?: string } }).clientVersion;
}

/** --applyset needs kubectl 1.27 or later; an older one would fail with "unknown flag" halfway. */
function kubectlVersionProbe(provider: Provider): ProbeStep {
  return {
    type: 'probe',
    cmd: { argv: [kubectlProgram(provider), 'version', '--client', '--output=json'] },
    expectation: `must be v1.${MIN_KUBECTL_MINOR} or later (--applyset)`,
    verify: (stdout) => {
      const version = clientVersion(stdout);
      const minor = Number.parseInt(version?.minor ?? '', 10);
      if (version?.major === '1' && minor >= MIN_KUBECTL_MINOR) return undefined;
      return `kubectl v${version?.major}.${version?.minor} is too old for ApplySet pruning: install kubectl v1.${MIN_KUBECTL_MINOR} or later`;
    },
    summary: (stdout) => {
      const version = clientVersion(stdout);
      return `client v${version?.major}.${version?.minor}`;
    },
  };
}

/**
 * The shop's namespace must exist before the diff and the dry run can look inside it (both fail with
 * "namespaces not found" on a fresh cluster); the apply then adds its labels. Created only when missing.
 */
function namespaceStep(provider: Provider, namespace: string): Step {
  return {
    type: 'unless',
    probe: { argv: kubectl(provider, 'get', 'namespace', namespace, '--ignore-not-found', '--output=name') },
    condition: `it prints namespace/${namespace}`,
    holds: (stdout) => stdout.trim() === `namespace/${namespace}`,
    steps: [commandStep(kubectl(provider, 'create', 'namespace', namespace))],
  };
}

/** kubectl diff of the manifests as the apply will send them (with the ApplySet member label). */
function diffSteps(provider: Provider, env: EnvironmentConfig, dir: string, copy: string): Step[] {
  const id = applySetId(applySetParent(env.namespace));
  return [
    {
      type: 'write',
      path: copy,
      content: (context) => labelledManifests(resolve(context.cwd, dir), id),
      description: `${dir}/ with the label the apply adds to every object (applyset.kubernetes.io/part-of=${id})`,
    },
    {
      type: 'command',
      cmd: { argv: kubectl(provider, 'diff', '--server-side', '--filename', copy) },
      exitCodes: [0, 1],
      comment: 'exit 1 means it found differences (printed); nothing is changed',
    },
  ];
}

/** A server-side dry run of the apply: what --prune would delete is listed, and needs --yes or a yes at the prompt. */
function pruneConfirmation(provider: Provider, namespace: string, dir: string, yes: boolean): ConfirmStep {
  return {
    type: 'confirm',
    cmd: applyCommand(provider, namespace, dir, '--dry-run=server'),
    subject: 'objects --prune would delete from the cluster',
    question: 'Delete them?',
    findings: prunedObjects,
    approved: yes,
    approveFlag: '--yes',
  };
}

/** Server-side apply of every manifest in `dir`, deleting the set's members that are no longer in it. */
function applyCommand(provider: Provider, namespace: string, dir: string, ...extra: string[]): Command {
  const parent = applySetParent(namespace);
  return {
    env: APPLYSET_ENV,
    argv: kubectl(
      provider,
      '--namespace',
      namespace,
      'apply',
      '--server-side',
      '--prune',
      applySetFlag(parent),
      ...extra,
      '--filename',
      dir,
    ),
  };
}
