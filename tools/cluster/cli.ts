// Command-line arguments of tools/cluster/main.ts -> the runbook of one cluster step. Reads the kind config
// files; runs no command except cluster:load's builder detection (does docker's daemon answer).
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { environmentNamed, environments } from '../../config/index.ts';
import { type Builder, chooseBuilder } from '../images/builders.ts';
import { sectionImages } from '../images/section-images.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { isProvider, PROVIDERS, type Provider } from './cluster.ts';
import { deployRunbook } from './deploy.ts';
import { downRunbook } from './down.ts';
import { ingressUrl, parseHostPorts } from './host-ports.ts';
import { createdHostPorts, KIND_CONFIG } from './kind-config.ts';
import { runtimeFromEnv } from './kind-runtime.ts';
import { kwokDownRunbook, kwokUpRunbook } from './kwok.ts';
import { KWOK_WORKDIR } from './kwok-cluster.ts';
import { loadRunbook } from './load.ts';
import type { Runbook } from './runbook.ts';
import { smokeRunbook } from './smoke.ts';
import { upRunbook } from './up.ts';

const SUBCOMMANDS = {
  up: 'cluster:up',
  load: 'cluster:load',
  deploy: 'deploy',
  smoke: 'smoke',
  down: 'cluster:down',
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;

export const HELP = `Usage: npm run <script> [-- options]

  npm run cluster:up      create the 'sweetshop' cluster (skipped when it exists) with metrics-server and the environment's
                          routing: F5's NGINX Ingress Controller (local), or Envoy Gateway and the GatewayClass its Gateway names (local-gateway);
                          kwok: builds the control plane if needed, starts it with fake nodes in three zones, and adds what every
                          environment expects (CRDs, GatewayClasses, the platform Gateway, namespaces) and Envoy Gateway's controller
  npm run cluster:load    build the section images and load them into the cluster (kind, minikube)
  npm run deploy          kubectl diff, then server-side apply with ApplySet pruning of dist/ (local) or of a synth into
                          .cluster/manifests/<env>; deletions need --yes or a yes at the prompt; waits for the rollouts
  npm run smoke           requests to every section through the ingress, showing X-Served-By (kind, minikube)
  npm run cluster:down    delete the cluster

Options:
  --provider <name>         ${PROVIDERS.join(' | ')} (default: kind)
  --env <name>              environment to set up/load/deploy/smoke (default: local); known: ${Object.keys(environments).join(', ')}
  --monitoring              cluster:up only: also install kube-prometheus-stack with Helm (release kube-prometheus-stack
                            in namespace monitoring, what production's monitoring settings expect); needs helm
  --host-ports <http>,<https>
                            cluster:up on kind only: host ports of the ingress (default: 80,443; rootless: e.g. 8080,8443)
  --builder <tool>          cluster:load only: docker | podman (default on kind: podman when KIND_EXPERIMENTAL_PROVIDER
                            names another runtime than docker; otherwise docker if its daemon answers, else podman)
  --url <base>              smoke only: ingress base URL (default: http://127.0.0.1[:<http host port>] on kind,
                            http://<minikube ip> on minikube)
  --requests <n>            smoke only: requests per section (default: 12)
  --yes                     deploy only: delete what pruning would delete without asking (needed without a terminal)
  --dry-run                 print the exact sequence (commands, probes, checks) without running any of it
  -h, --help                show this help`;

/** kwok simulates pods: the control plane is real, nothing runs in them. */
const NO_CONTAINERS = (step: string, consequence: string) =>
  `${step} does not apply to --provider kwok: its pods run no containers (kwok only marks them Running and Ready), ${consequence}; use kind or minikube`;

/** What the commands read besides their arguments; injectable so tests need no real cluster state. */
export interface CliContext {
  /** KIND_EXPERIMENTAL_PROVIDER is read from here. */
  readonly processEnv: NodeJS.ProcessEnv;
  /** The directory holding .cluster/ (the runner's working directory). */
  readonly root: string;
  /** Linux's net.ipv4.ip_unprivileged_port_start (default: read from /proc). */
  readonly unprivilegedPortStart?: () => number | undefined;
}

type Values = ReturnType<typeof parseCli>['values'];

function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      provider: { type: 'string', default: 'kind' },
      env: { type: 'string', default: 'local' },
      'host-ports': { type: 'string' },
      builder: { type: 'string' },
      url: { type: 'string' },
      requests: { type: 'string', default: '12' },
      monitoring: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** Parses the arguments into the step's name (as its npm script) and runbook, or 'help'. */
export function runbookFor(
  argv: readonly string[],
  context: CliContext = { processEnv: process.env, root: REPO_ROOT },
): { name: string; runbook: Runbook; dryRun: boolean } | 'help' {
  const { values, positionals } = parseCli(argv);
  if (values.help) return 'help';
  const [subcommand, ...extra] = positionals;
  if (!subcommand || !Object.hasOwn(SUBCOMMANDS, subcommand)) {
    throw new Error(`unknown step '${subcommand ?? ''}': choose one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
  }
  if (extra.length > 0) throw new Error(`unexpected argument '${extra[0]}' (options start with --)`);
  if (!isProvider(values.provider)) throw new Error(`--provider must be one of ${PROVIDERS.join(', ')}, got '${values.provider}'`);
  const provider: Provider = values.provider;
  if (values['host-ports'] !== undefined && (subcommand !== 'up' || provider !== 'kind')) {
    throw new Error(`--host-ports applies to cluster:up on kind only (smoke reads them from ${KIND_CONFIG})`);
  }
  if (values.yes && subcommand !== 'deploy') throw new Error('--yes applies to deploy only (it allows the deletions pruning lists)');
  if (values.monitoring && subcommand !== 'up') throw new Error('--monitoring applies to cluster:up only');
  const runbook = subcommandRunbook(subcommand as Subcommand, provider, values, context);
  return { name: SUBCOMMANDS[subcommand as Subcommand], runbook, dryRun: values['dry-run'] };
}

function subcommandRunbook(subcommand: Subcommand, provider: Provider, values: Values, context: CliContext): Runbook {
  const env = environmentNamed(values.env);
  switch (subcommand) {
    case 'up': {
      if (provider === 'kwok') {
        if (values.monitoring)
          throw new Error(
            NO_CONTAINERS(
              '--monitoring',
              'so kube-prometheus-stack could not run (cluster:up already creates the monitoring namespace and the CRDs)',
            ),
          );
        return kwokUpRunbook(Object.values(environments), { workdir: join(context.root, KWOK_WORKDIR) });
      }
      const hostPorts = values['host-ports'] === undefined ? undefined : parseHostPorts(values['host-ports']);
      return upRunbook(provider, env, {
        hostPorts,
        env: context.processEnv,
        unprivilegedPortStart: context.unprivilegedPortStart,
        monitoring: values.monitoring,
      });
    }
    case 'down':
      return provider === 'kwok' ? kwokDownRunbook({ workdir: join(context.root, KWOK_WORKDIR) }) : downRunbook(provider);
    case 'deploy':
      return deployRunbook(provider, env, { yes: values.yes });
    case 'load':
      if (provider === 'kwok') throw new Error(NO_CONTAINERS('cluster:load', 'pods pull no image, so there is nothing to load'));
      return loadRunbook(provider, builderFor(provider, values.builder, context.processEnv), sectionImages(env));
    case 'smoke': {
      if (provider === 'kwok') throw new Error(NO_CONTAINERS('smoke', 'no request can reach a replica'));
      const requests = Number(values.requests);
      if (!Number.isInteger(requests) || requests < 1 || requests > 1000) {
        throw new Error(`--requests must be an integer from 1 to 1000, got '${values.requests}'`);
      }
      const url = values.url ?? (provider === 'kind' ? ingressUrl(createdHostPorts(context.root)) : undefined);
      return smokeRunbook(provider, env, { requests, url });
    }
  }
}

/**
 * The builder whose images kind can load. `kind load docker-image` reads from the store of kind's own
 * runtime, so when KIND_EXPERIMENTAL_PROVIDER names another runtime than docker, images go through
 * archives (`kind load image-archive`, any runtime), which the podman builder does.
 */
function builderFor(provider: Provider, option: string | undefined, processEnv: NodeJS.ProcessEnv): Builder {
  const runtime = provider === 'kind' ? runtimeFromEnv(processEnv) : undefined;
  const loadsFromOtherRuntime = runtime !== undefined && runtime !== 'docker';
  if (option === undefined) return loadsFromOtherRuntime ? 'podman' : chooseBuilder(undefined);
  const builder = chooseBuilder(option);
  if (builder === 'docker' && loadsFromOtherRuntime) {
    throw new Error(
      `kind runs on ${runtime} here (KIND_EXPERIMENTAL_PROVIDER=${runtime}), ` +
        `so \`kind load docker-image\` would look for the images in ${runtime}: use --builder podman`,
    );
  }
  return builder;
}
