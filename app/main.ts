// The cdk8s app entry (cdk8s.yaml) and the only impure file: it reads SWEETSHOP_ENV and writes manifests.
import { buildApp } from './build-app.ts';
import { environmentNamed } from './environments/index.ts';

try {
  const env = environmentNamed(process.env.SWEETSHOP_ENV ?? 'local');
  // The cdk8s CLI passes its output folder in CDK8S_OUTDIR.
  buildApp(env, process.env.CDK8S_OUTDIR ?? 'dist').synth();
} catch (error) {
  console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
