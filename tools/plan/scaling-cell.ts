/**
 * One direction of an environment's HPA behaviour as a table cell: `max(+4 pods/15s, +100%/15s)` for
 * scale-up, `-25%/60s after 300s` for scale-down, `past 5%` appended when it states a tolerance. Works on plain data (the base may be older or invalid):
 * whatever does not have the expected shape reads `?`.
 */
import { isJsonObject } from '../lib/json-object.ts';

export function scalingCell(direction: 'scaleUp' | 'scaleDown', rules: unknown): string | undefined {
  if (rules === undefined) return undefined;
  if (!isJsonObject(rules)) return '?';
  if (rules.selectPolicy === 'Disabled') return 'disabled';
  const sign = direction === 'scaleUp' ? '+' : '-';
  const policies = Array.isArray(rules.policies) ? rules.policies.map((policy) => policyText(sign, policy)) : ['?'];
  const select = typeof rules.selectPolicy === 'string' ? rules.selectPolicy.toLowerCase() : '?';
  const change = policies.length === 1 ? policies[0] : `${select}(${policies.join(', ')})`;
  const window = rules.stabilizationWindowSeconds;
  const timed = window === 0 ? change : `${change} after ${typeof window === 'number' ? window : '?'}s`;
  return rules.tolerance === undefined ? timed : `${timed} past ${toleranceText(rules.tolerance)}`;
}

function toleranceText(tolerance: unknown): string {
  return typeof tolerance === 'number' ? `${Math.round(tolerance * 1000) / 10}%` : '?';
}

function policyText(sign: string, policy: unknown): string {
  if (!isJsonObject(policy) || typeof policy.value !== 'number' || typeof policy.periodSeconds !== 'number') return '?';
  const unit = policy.type === 'Pods' ? ' pods' : policy.type === 'Percent' ? '%' : undefined;
  return unit === undefined ? '?' : `${sign}${policy.value}${unit}/${policy.periodSeconds}s`;
}
