import type { DeploymentSpec } from './types.ts';

/**
 * The body limit a Deployment's replicas enforce (MAX_BODY_BYTES, which the chart sets from the
 * environment's maxRequestBodyBytes), for nginx to enforce first; undefined when the manifest sets none.
 */
export function deploymentBodyLimit(deployment: Pick<DeploymentSpec, 'name' | 'env'>): number | undefined {
  const variable = deployment.env.find((v) => v.name === 'MAX_BODY_BYTES');
  if (variable === undefined) return undefined;
  const value = 'value' in variable ? variable.value : '';
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw new Error(`Deployment ${deployment.name}: MAX_BODY_BYTES must be a number of bytes, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
