import { parseArgs } from 'node:util';

import { REPO_ROOT } from '../lib/repo-root.ts';
import { allPins } from './all-pins.ts';
import { goLookups } from './lookups/go-proxy.ts';
import { npmLookups } from './lookups/npm-registry.ts';
import { webLookups } from './lookups/web.ts';
import type { Lookup, Pin } from './pin.ts';
import { exitCode, reportTable, rowFor, summary, worthShowing } from './report.ts';

const HELP = `Usage: npm run outdated [-- options]

Lists every pin that is behind its newest release, and by how much: npm packages (and the Node binary),
the image base, the kind node image, controllers, vendored CRDs, the control plane's Go modules and the
GitHub Actions and the Go they set up. Versions are read from the files that pin them; what cannot be reached is said in one line.

  --all               list up-to-date pins too
  --fail-on-behind    exit 1 when a pin is behind (for CI); a pin that cannot be checked does not fail
  -h, --help          this text`;

/** Runs one group of lookups, saying on stderr when it starts and how long it took. */
async function timed(label: string, pins: readonly Pin[], run: () => Promise<Map<Pin, Lookup>>): Promise<Map<Pin, Lookup>> {
  if (pins.length === 0) return new Map();
  const started = Date.now();
  console.error(`checking ${label} (${pins.length} pins)...`);
  const lookups = await run();
  const failed = [...lookups.values()].filter((lookup) => 'problem' in lookup).length;
  console.error(
    `  ${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s${failed > 0 ? ` (${failed} could not be checked)` : ''}`,
  );
  return lookups;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      all: { type: 'boolean', default: false },
      'fail-on-behind': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const pins = allPins(REPO_ROOT);
  const of = (...types: Pin['source']['type'][]) => pins.filter((pin) => types.includes(pin.source.type));
  const groups = await Promise.all([
    timed('npm registry', of('npm'), () => npmLookups(of('npm'), REPO_ROOT)),
    timed('Go module proxy', of('go', 'kind-image', 'go-toolchain'), () =>
      goLookups(of('go'), of('kind-image'), process.env, of('go-toolchain')),
    ),
    timed('GitHub, Docker Hub, Helm repositories', of('github-release', 'docker-hub', 'helm'), () =>
      webLookups(of('github-release', 'docker-hub', 'helm')),
    ),
  ]);
  const lookups = new Map(groups.flatMap((group) => [...group]));
  const rows = pins.map((pin) => rowFor(pin, lookups.get(pin) ?? { problem: 'cannot check: no lookup for this pin' }));
  const shown = values.all ? rows : rows.filter(worthShowing);
  console.log(`${reportTable(shown)}\n\n${summary(rows, shown.length)}`);
  return exitCode(rows, values['fail-on-behind']);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`outdated: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
