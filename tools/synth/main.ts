// `npm run synth`: what `cdk8s synth` does, without the CLI's start-up cost, and atomically.
import { parseArgs } from 'node:util';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { ENVIRONMENT_VARIABLE, environments, environmentWarnings, selectEnvironment } from '../../config/index.ts';
import { staleProblem } from './stale-files.ts';

const HELP = `Usage: npm run synth [-- --env <name>] [--out <dir>] [--check]

Renders one environment's manifests into a folder (default dist/), replacing it only when synthesis
and validation succeed: a failure leaves the previous manifests untouched.

  --env <name>  environment to render (default: $${ENVIRONMENT_VARIABLE}, else local)
                known: ${Object.keys(environments).join(', ')}
  --out <dir>   output folder (default: dist)
  --check       write nothing: exit 1 with one line if the folder is not what the environment renders now
  -h, --help    show this help`;

try {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
  } else if (values.check) {
    // npm test runs this first, so a hand-edited or stale dist/ is reported alone, before the suites that read it.
    const problem = staleProblem(selectEnvironment(values.env, process.env), values.out);
    if (problem !== undefined) {
      console.error(problem);
      process.exitCode = 1;
    }
  } else {
    const environment = selectEnvironment(values.env, process.env);
    const files = synthesizeInto(environment, values.out);
    for (const warning of environmentWarnings(environment)) console.error(warning);
    console.log(`synthesized environment '${environment.name}' into ${values.out}/: ${files.join(', ')}`);
  }
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
