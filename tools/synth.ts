// `npm run synth`: what `cdk8s synth` does, without the CLI's start-up cost, and atomically.
import { parseArgs } from 'node:util';

import { environmentNamed, environments } from '../app/environments/index.ts';
import { synthesizeInto } from '../app/synth-to-dir.ts';

const HELP = `Usage: npm run synth [-- --env <name>] [--out <dir>]

Renders one environment's manifests into a folder (default dist/), replacing it only when synthesis
and validation succeed: a failure leaves the previous manifests untouched.

  --env <name>  environment to render (default: $SWEETSHOP_ENV, else local); known: ${Object.keys(environments).join(', ')}
  --out <dir>   output folder (default: dist)
  -h, --help    show this help`;

try {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
  } else {
    const env = environmentNamed(values.env ?? process.env.SWEETSHOP_ENV ?? 'local');
    const files = synthesizeInto(env, values.out);
    console.log(`synthesized environment '${env.name}' into ${values.out}/: ${files.join(', ')}`);
  }
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
