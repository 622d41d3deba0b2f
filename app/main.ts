// The cdk8s app entry (cdk8s.yaml) and the only impure file: it reads SWEETSHOP_ENV and writes manifests.
import { buildApp } from './build-app.ts';
import { environmentNamed } from './environments/index.ts';
import { restoreCommittedOutput } from './restore-committed-output.ts';

// The cdk8s CLI passes its output folder in CDK8S_OUTDIR (and has already emptied it).
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const env = environmentNamed(process.env.SWEETSHOP_ENV ?? 'local');
  // Validation runs inside buildApp, before anything is written.
  buildApp(env, outdir).synth();
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  if (restoreCommittedOutput(outdir)) {
    console.error(`(cdk8s synth deletes ${outdir}/ before running the app: restored the committed ${outdir}/ from git HEAD)`);
  }
  process.exitCode = 1;
}
