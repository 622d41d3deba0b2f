import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

import type { HpaBehavior, ScalingRules, SelectPolicy } from '../config/hpa-behavior.ts';

const STRATEGIES: Readonly<Record<SelectPolicy, kplus.ScalingStrategy>> = {
  Max: kplus.ScalingStrategy.MAX_CHANGE,
  Min: kplus.ScalingStrategy.MIN_CHANGE,
  // Deprecated in cdk8s-plus ("omit the rules instead"), but omitting them brings back its defaults.
  Disabled: kplus.ScalingStrategy.DISABLED,
};

/**
 * The environment's HPA behaviour as cdk8s-plus-27 HPA props. Every field is given, so none of its
 * defaults (a scale-down of `minReplicas` pods per 5 minutes) survives; test/charts checks the synthesized
 * `spec.behavior`, not these props.
 */
export function hpaBehaviorProps(behavior: HpaBehavior): Pick<kplus.HorizontalPodAutoscalerProps, 'scaleUp' | 'scaleDown'> {
  return { scaleUp: scalingRules(behavior.scaleUp), scaleDown: scalingRules(behavior.scaleDown) };
}

function scalingRules(rules: ScalingRules): kplus.ScalingRules {
  return {
    stabilizationWindow: Duration.seconds(rules.stabilizationWindowSeconds),
    strategy: STRATEGIES[rules.selectPolicy],
    policies: rules.policies.map((policy) => ({
      replicas: policy.type === 'Pods' ? kplus.Replicas.absolute(policy.value) : kplus.Replicas.percent(policy.value),
      duration: Duration.seconds(policy.periodSeconds),
    })),
  };
}
