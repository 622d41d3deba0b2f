/**
 * Gateway API routing as local mode runs it: each HTTPRoute rule becomes a location per path match, to
 * the one Service it names, and the algorithm comes from the controller's policy attached to the route
 * (ROUTING_CONTROLLERS' `route-policy` settings: Envoy Gateway's BackendTrafficPolicy
 * spec.loadBalancer.type), read back into the portable name and run as nginx's closest algorithm.
 * What nginx here cannot imitate (header or query matches, filters, split backends) is refused by name.
 */
import {
  type ControllerFor,
  controllersFor,
  ROUTING_CONTROLLERS,
  type RoutePolicySetting,
  supportedAlgorithms,
} from '../../../config/vocabulary.ts';
import { isJsonObject, type JsonObject } from '../../lib/json-object.ts';
import { type BalanceChoice, balanceOnLocalNginx } from '../nginx/balance.ts';
import { isPlainUrlPath, PLAIN_URL_PATH_RULE } from '../nginx/plain-url-path.ts';
import { missingServiceReason } from './service-refs.ts';
import type { ManifestObject, RouteSpec, ServiceSpec } from './types.ts';

type Json = JsonObject;

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const PATH_TYPES: Readonly<Record<string, RouteSpec['pathType']>> = { PathPrefix: 'Prefix', Exact: 'Exact' };

/** The routes of every HTTPRoute, and the balancing their policies ask for (one per route that has one). */
export function readGatewayRoutes(
  objects: readonly ManifestObject[],
  services: readonly ServiceSpec[],
): { routes: RouteSpec[]; balances: BalanceChoice[] } {
  const httpRoutes = objects.filter((object) => object.kind === 'HTTPRoute' && apiGroup(object) === GATEWAY_API_GROUP);
  return {
    routes: httpRoutes.flatMap((route) => readRules(route, services, objects)),
    balances: httpRoutes.flatMap((route) => policyBalance(route, objects) ?? []),
  };
}

function readRules(route: ManifestObject, services: readonly ServiceSpec[], objects: readonly ManifestObject[]): RouteSpec[] {
  const spec = isJsonObject(route.body.spec) ? route.body.spec : {};
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  return rules.flatMap((rule, r) => {
    const where = `${route.source}: spec.rules[${r}]`;
    if (!isJsonObject(rule)) throw new Error(`${where} is not a mapping`);
    if (Array.isArray(rule.filters) && rule.filters.length > 0)
      throw new Error(`${where}.filters: local mode applies no HTTPRoute filters`);
    const service = backendService(rule, where, services, objects);
    // No matches means one PathPrefix "/" match (the Gateway API default).
    const matches = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
    return matches.map((match, m) => readMatch(match, `${where}.matches[${m}]`, service));
  });
}

function backendService(rule: Json, where: string, services: readonly ServiceSpec[], objects: readonly ManifestObject[]): string {
  const refs = Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
  if (refs.length !== 1) {
    throw new Error(`${where}.backendRefs: local mode routes a rule to exactly one Service, found ${refs.length} backendRefs`);
  }
  const ref = refs[0];
  const kind = isJsonObject(ref) ? (ref.kind ?? 'Service') : undefined;
  const group = isJsonObject(ref) ? (ref.group ?? '') : undefined;
  if (!isJsonObject(ref) || kind !== 'Service' || group !== '' || typeof ref.name !== 'string') {
    throw new Error(`${where}.backendRefs[0]: local mode needs a Service backend with a name, got ${JSON.stringify(ref)}`);
  }
  if (!services.some((service) => service.name === ref.name))
    throw new Error(`${where}.backendRefs[0]: ${missingServiceReason(ref.name, objects)}`);
  return ref.name;
}

function readMatch(match: unknown, where: string, service: string): RouteSpec {
  if (!isJsonObject(match)) throw new Error(`${where} is not a mapping`);
  const others = Object.keys(match).filter((key) => key !== 'path');
  if (others.length > 0) throw new Error(`${where}: local mode matches on the path only, not on ${others.join(', ')}`);
  const path = isJsonObject(match.path) ? match.path : {};
  const type = String(path.type ?? 'PathPrefix');
  const pathType = PATH_TYPES[type];
  if (!pathType) throw new Error(`${where}.path.type: local mode runs PathPrefix and Exact, not ${type}`);
  const value = path.value ?? '/';
  if (typeof value !== 'string' || !isPlainUrlPath(value))
    throw new Error(`${where}.path.value ${JSON.stringify(value)} is not a plain URL path: ${PLAIN_URL_PATH_RULE}`);
  return { path: value, pathType, service, source: where };
}

/** The algorithm of the route-policy object that targets `route` (a controller's, per the vocabulary). */
function policyBalance(route: ManifestObject, objects: readonly ManifestObject[]): BalanceChoice | undefined {
  for (const controller of controllersFor('HTTPRoute')) {
    const setting = ROUTING_CONTROLLERS[controller].balancing as RoutePolicySetting;
    const policy = objects.find((object) => isPolicyFor(object, setting, route.name));
    if (!policy) continue;
    const value = valueAt(policy.body, setting.field);
    const source = `${setting.policyKind} ${policy.name} ${setting.field}=${String(value)}`;
    return balanceOnLocalNginx(portableAlgorithm(controller, value, source), source);
  }
  return undefined;
}

function isPolicyFor(object: ManifestObject, setting: RoutePolicySetting, routeName: string): boolean {
  if (object.kind !== setting.policyKind || object.body.apiVersion !== setting.apiVersion) return false;
  const spec = isJsonObject(object.body.spec) ? object.body.spec : {};
  const targets = Array.isArray(spec.targetRefs) ? spec.targetRefs : [];
  return targets.some((target) => isJsonObject(target) && target.kind === 'HTTPRoute' && target.name === routeName);
}

function portableAlgorithm(controller: ControllerFor<'HTTPRoute'>, value: unknown, source: string) {
  const known = supportedAlgorithms(controller);
  // A search by value, not a lookup: names every object inherits ("constructor") match nothing.
  const portable = known.find((each) => each.value === value)?.algorithm;
  if (!portable) throw new Error(`${source}: unsupported value (local mode runs ${known.map((each) => each.value).join(' or ')})`);
  return portable;
}

function valueAt(body: Json, dottedPath: string): unknown {
  let current: unknown = body;
  for (const key of dottedPath.split('.')) current = isJsonObject(current) && Object.hasOwn(current, key) ? current[key] : undefined;
  return current;
}

function apiGroup(object: ManifestObject): string {
  return String(object.body.apiVersion ?? '').split('/')[0] ?? '';
}
