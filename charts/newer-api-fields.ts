/**
 * The fields of Kubernetes releases after 1.27 that the shop uses, in one place: cdk8s-plus-27's L1
 * objects re-serialize through the 1.27 types after every JSON patch and silently drop a key 1.27 does
 * not know (an HPA's `tolerance`, a Service's `trafficDistribution`). So these are applied to the
 * object's JSON after that re-serialization. The supported clusters (1.35-1.37) serve every one; the
 * control-plane tests show the real API server keeps them and its controllers act on them.
 */
import { type ApiObject, JsonPatch } from 'cdk8s';

import type { HpaBehavior } from '../config/hpa-behavior.ts';
import type { EnvironmentConfig } from '../config/types.ts';

/** Applies `patches` to the object's JSON as synth writes it, after the L1's own serialization. */
function patchSerialized(object: ApiObject, patches: readonly JsonPatch[]): void {
  if (patches.length === 0) return;
  const serialize = object.toJson.bind(object);
  object.toJson = () => JsonPatch.apply(serialize(), ...patches);
}

/** `spec.behavior.<direction>.tolerance` (GA in 1.37), as a quantity string the API stores exactly. */
export function addHpaTolerances(hpa: ApiObject, behavior: HpaBehavior): void {
  const directions = (['scaleUp', 'scaleDown'] as const).filter((direction) => behavior[direction].tolerance !== undefined);
  patchSerialized(
    hpa,
    directions.map((direction) => JsonPatch.add(`/spec/behavior/${direction}/tolerance`, String(behavior[direction].tolerance))),
  );
}

/** `spec.trafficDistribution` (GA in 1.35) when the environment states one. */
export function addTrafficDistribution(service: ApiObject, distribution: EnvironmentConfig['trafficDistribution']): void {
  patchSerialized(service, distribution === undefined ? [] : [JsonPatch.add('/spec/trafficDistribution', distribution)]);
}

/** The container's `resizePolicy` (in-place resize, GA in 1.35): per resource, live or with a restart. */
export function addResizePolicy(deployment: ApiObject, resize: EnvironmentConfig['inPlaceResize']): void {
  const policy = (['cpu', 'memory'] as const).map((resourceName) => ({ resourceName, restartPolicy: resize[resourceName] }));
  patchSerialized(deployment, [JsonPatch.add('/spec/template/spec/containers/0/resizePolicy', policy)]);
}
