import { App } from 'cdk8s';

import { SweetShopChart } from '../charts/sweetshop-chart.ts';
import type { EnvironmentConfig } from '../config/types.ts';
import { validateEnvironment } from '../config/validate.ts';

/** Construct id of the chart; it names the output file `<id>.k8s.yaml`. */
export const CHART_ID = 'sweetshop';

/** Validates `environment` and builds the cdk8s App that renders it into `outdir` (nothing is written until synth()). */
export function buildApp(environment: EnvironmentConfig, outdir: string): App {
  const app = new App({ outdir });
  new SweetShopChart(app, CHART_ID, { environment: validateEnvironment(environment) });
  return app;
}
