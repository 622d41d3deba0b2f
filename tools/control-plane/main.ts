// `npm run control-plane:build`: builds the real Kubernetes programs the kwok provider and the tests run.
import { parseArgs } from 'node:util';

import { buildControlPlane } from './build.ts';
import { BIN_DIR } from './build-state.ts';
import { GO_MODULES } from './programs.ts';

const HELP = `Usage: npm run control-plane:build [-- --force]

Builds ${GO_MODULES.flatMap((module) => Object.keys(module.programs)).join(', ')}
from their Go modules (tools/control-plane/go/*/go.mod) into ${BIN_DIR}.
A module whose go.mod, go.sum, build settings and Go version are unchanged since its last build is reused,
from this checkout or from the cache of earlier builds (\${SWEETSHOP_CONTROL_PLANE_CACHE:-~/.cache/sweetshop/control-plane}).
Needs Go 1.26 and the Go module proxy; Go's own caches make a rebuild after a change mostly a link.

  --force     rebuild everything
  -h, --help  show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const started = Date.now();
  const { built, restored } = await buildControlPlane({ log: (line) => console.log(line), force: values.force });
  const total = ((Date.now() - started) / 1000).toFixed(1);
  const done = [
    ...(Object.keys(built).length > 0 ? [`built ${Object.keys(built).join(', ')}`] : []),
    ...(restored.length > 0 ? [`restored ${restored.join(', ')}`] : []),
  ];
  console.log(`control plane: ${done.length === 0 ? 'everything current' : done.join('; ')} in ${total} s`);
}

main().catch((error: unknown) => {
  console.error(`control-plane:build: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
