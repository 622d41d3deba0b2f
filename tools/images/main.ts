import { parseArgs } from 'node:util';

import { environmentNamed, environments } from '../../config/index.ts';
import { formatCommand, runCommand } from '../lib/command.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { BUILDERS, buildCommand, chooseBuilder } from './builders.ts';
import { sectionImages } from './section-images.ts';

const HELP = `Usage: npm run images [-- options]

Builds service/Dockerfile once per section (build context: the repository root), tagging each image
with the repository and tag the environment's Deployments use.

  --env <name>          environment whose image names to use (default: local); known: ${Object.keys(environments).join(', ')}
  --builder <tool>      ${BUILDERS.join(' | ')} (default: docker if its daemon answers, else podman, else buildah)
  --section <name>      build only this section (repeatable; default: all three)
  --base-image <ref>    override the Dockerfile's BASE_IMAGE (a Node 24 image with npm)
  --offline             never pull: the base image must already be local
  --dry-run             print the build commands without running them
  -h, --help            show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      env: { type: 'string', default: 'local' },
      builder: { type: 'string' },
      section: { type: 'string', multiple: true, default: [] },
      'base-image': { type: 'string' },
      offline: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const images = sectionImages(environmentNamed(values.env), values.section);
  const builder = chooseBuilder(values.builder);
  const commands = images.map((image) => buildCommand(builder, image, { baseImage: values['base-image'], offline: values.offline }));

  if (values['dry-run']) {
    for (const cmd of commands) console.log(formatCommand(cmd));
    return;
  }
  const started = Date.now();
  for (const [index, image] of images.entries()) {
    const cmd = commands[index]!;
    const step = `[${index + 1}/${images.length}]`;
    console.log(`${step} building ${image.ref} (section ${image.section}) with ${builder}\n$ ${formatCommand(cmd)}`);
    const stepStarted = Date.now();
    await runCommand(cmd, { cwd: REPO_ROOT });
    console.log(`${step} built ${image.ref} in ${seconds(Date.now() - stepStarted)}`);
  }
  console.log(
    `built ${images.length} image(s) with ${builder} in ${seconds(Date.now() - started)}: ${images.map((i) => i.ref).join(', ')}`,
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

main().catch((error: unknown) => {
  console.error(`images: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
