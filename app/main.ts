// The cdk8s app entry (cdk8s.yaml): it reads SWEETSHOP_ENV and CDK8S_OUTDIR and writes manifests.
// Entry points are the only files that read the process environment; everything below takes arguments.

import { environmentWarnings, selectEnvironment } from '../config/index.ts';
import { buildApp } from './build-app.ts';
import { restoreCommittedOutput } from './restore-committed-output.ts';

// The cdk8s CLI passes its output folder in CDK8S_OUTDIR (and has already emptied it).
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  // Validation runs inside buildApp, before anything is written.
  const environment = selectEnvironment(undefined, process.env);
  buildApp(environment, outdir).synth();
  for (const warning of environmentWarnings(environment)) console.error(warning);
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  if (restoreCommittedOutput(outdir)) {
    console.error(`(cdk8s synth deletes ${outdir}/ before running the app: restored the committed ${outdir}/ from git HEAD)`);
  }
  process.exitCode = 1;
}
