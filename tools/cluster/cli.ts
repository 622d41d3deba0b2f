// Command-line arguments of tools/cluster/main.ts -> the runbook of one cluster step (no side effects).
import { parseArgs } from 'node:util';

import { environmentNamed, environments } from '../../app/environments/index.ts';
import { chooseBuilder } from '../images/builders.ts';
import { sectionImages } from '../images/section-images.ts';
import { isProvider, PROVIDERS, type Provider } from './cluster.ts';
import { deployRunbook } from './deploy.ts';
import { downRunbook } from './down.ts';
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

  npm run cluster:up      create the 'sweetshop' cluster with ingress-nginx and metrics-server
  npm run cluster:load    build the section images and load them into the cluster
  npm run deploy          synth the environment into .cluster/manifests/<env>, kubectl apply it, wait for the rollouts
  npm run smoke           requests to every section through the ingress, showing X-Served-By
  npm run cluster:down    delete the cluster

Options:
  --provider <name>   ${PROVIDERS.join(' | ')} (default: kind)
  --env <name>        environment to load/deploy/smoke (default: local); known: ${Object.keys(environments).join(', ')}
  --builder <tool>    cluster:load only: docker | podman (default: docker if its daemon answers, else podman)
  --url <base>        smoke only: ingress base URL (default: http://127.0.0.1 on kind, http://<minikube ip> on minikube)
  --requests <n>      smoke only: requests per section (default: 12)
  --dry-run           print the exact command sequence without running anything
  -h, --help          show this help`;

/** Parses the arguments into the step's name (as its npm script) and runbook, or 'help'. */
export function runbookFor(argv: readonly string[]): { name: string; runbook: Runbook; dryRun: boolean } | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      provider: { type: 'string', default: 'kind' },
      env: { type: 'string', default: 'local' },
      builder: { type: 'string' },
      url: { type: 'string' },
      requests: { type: 'string', default: '12' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const [subcommand, ...extra] = positionals;
  if (!subcommand || !Object.hasOwn(SUBCOMMANDS, subcommand)) {
    throw new Error(`unknown step '${subcommand ?? ''}': choose one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
  }
  if (extra.length > 0) throw new Error(`unexpected argument '${extra[0]}' (options start with --)`);
  if (!isProvider(values.provider)) throw new Error(`--provider must be one of ${PROVIDERS.join(', ')}, got '${values.provider}'`);
  const provider: Provider = values.provider;
  const env = environmentNamed(values.env);
  let runbook: Runbook;
  switch (subcommand as Subcommand) {
    case 'up': {
      // kind picks its node runtime from this variable (docs/cluster.md, "With Podman"): check for that one.
      const kindNodeRuntime = process.env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? 'podman' : 'docker';
      runbook = upRunbook(provider, kindNodeRuntime);
      break;
    }
    case 'down':
      runbook = downRunbook(provider);
      break;
    case 'deploy':
      runbook = deployRunbook(provider, env);
      break;
    case 'load':
      runbook = loadRunbook(provider, chooseBuilder(values.builder), sectionImages(env));
      break;
    case 'smoke': {
      const requests = Number(values.requests);
      if (!Number.isInteger(requests) || requests < 1 || requests > 1000) {
        throw new Error(`--requests must be an integer from 1 to 1000, got '${values.requests}'`);
      }
      runbook = smokeRunbook(provider, env, { requests, url: values.url });
      break;
    }
  }
  return { name: SUBCOMMANDS[subcommand as Subcommand], runbook, dryRun: values['dry-run'] };
}
