import { hpaBehaviorProblems } from './hpa-behavior.ts';
import { isDns1123Label } from './kubernetes-names.ts';
import { parseQuantity } from './quantity.ts';
import type { EnvironmentConfig, GatewayConfig, IngressConfig, ResourceQuantities, SectionConfig } from './types.ts';
import {
  IMAGE_PULL_POLICIES,
  LOG_LEVELS,
  MALLOC_ARENA_MAX_RANGE,
  MAX_REQUEST_BODY_BYTES_RANGE,
  NODE_SPREADS,
  V8_SEMI_SPACE_MIB_RANGE,
} from './types.ts';
import { gatewayProblems } from './validate-gateway.ts';
import { monitoringProblems } from './validate-monitoring.ts';
import { HOST, loadBalancingProblems } from './validate-routing.ts';
import { PDB_MAX_UNAVAILABLE, RESIZE_RESTART_POLICIES, SECTION_NAMES, TRAFFIC_DISTRIBUTIONS } from './vocabulary.ts';

const RESOURCE_KEYS = ['cpu', 'memory', 'ephemeralStorage'] as const satisfies readonly (keyof ResourceQuantities)[];
// Optional registry host[:port]/, then lowercase path components; a ':tag' or '@digest' is not allowed here.
const IMAGE_REPOSITORY = /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Thrown with every problem found in one environment, one line each. */
export class EnvironmentValidationError extends Error {
  public readonly problems: readonly string[];

  constructor(environmentName: string, problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`environment '${environmentName}' is invalid (${count}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvironmentValidationError';
    this.problems = problems;
  }
}

/**
 * Checks `environment` once, before any construct exists, and returns it unchanged when valid.
 * Collects every problem (field path, value, what to change) and throws them together.
 */
export function validateEnvironment(environment: EnvironmentConfig): EnvironmentConfig {
  const problems = environmentProblems(environment);
  if (problems.length > 0) throw new EnvironmentValidationError(String(environment.name), problems);
  return environment;
}

/** Every problem in `environment`, in field order; empty when it is valid. */
export function environmentProblems(environment: EnvironmentConfig): string[] {
  const floor = availabilityFloor(environment);
  return [
    ...settingProblems(environment),
    ...routingProblems(environment),
    ...floor.problems,
    ...hpaBehaviorProblems(`${environment.name}.hpaBehavior`, environment.hpaBehavior),
    ...workloadProblems(environment),
    ...monitoringProblems(environment),
    ...sectionsProblems(environment, floor.value),
  ];
}

/** trafficDistribution and inPlaceResize: names the API server knows. */
function workloadProblems(environment: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const at = String(environment.name);
  const { trafficDistribution, inPlaceResize } = environment;
  if (trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(trafficDistribution)) {
    problems.push(
      `${at}.trafficDistribution: '${trafficDistribution}' is not a traffic distribution; use one of ${TRAFFIC_DISTRIBUTIONS.join(', ')}, or leave it out`,
    );
  }
  for (const resource of ['cpu', 'memory'] as const) {
    const policy = inPlaceResize?.[resource];
    if (!RESIZE_RESTART_POLICIES.includes(policy)) {
      problems.push(
        `${at}.inPlaceResize.${resource}: ${policy === undefined ? 'missing' : `'${policy}' is not a resize policy`}; use one of ${RESIZE_RESTART_POLICIES.join(', ')}`,
      );
    }
  }
  return problems;
}

function settingProblems(environment: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const at = String(environment.name);
  const { namespace, imagePullPolicy, logLevel } = environment;
  if (!isDns1123Label(String(namespace))) {
    problems.push(`${at}.namespace: '${namespace}' is not a valid namespace name; use lowercase letters, digits and '-' (at most 63)`);
  }
  if (!IMAGE_PULL_POLICIES.includes(imagePullPolicy)) {
    problems.push(`${at}.imagePullPolicy: '${imagePullPolicy}' is not a pull policy; use one of ${IMAGE_PULL_POLICIES.join(', ')}`);
  }
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`${at}.logLevel: '${logLevel}' is not a pino level; use one of ${LOG_LEVELS.join(', ')}`);
  }
  const bodyLimit = environment.maxRequestBodyBytes as unknown;
  const { min, max } = MAX_REQUEST_BODY_BYTES_RANGE;
  if (!Number.isSafeInteger(bodyLimit) || (bodyLimit as number) < min || (bodyLimit as number) > max) {
    problems.push(
      `${at}.maxRequestBodyBytes: ${bodyLimit === undefined ? 'missing' : JSON.stringify(bodyLimit)}; set a whole number of bytes from ${min} (1 KiB) to ${max} (1 MiB), e.g. 16 * 1024`,
    );
  }
  const semiSpace = environment.v8SemiSpaceMiB as unknown;
  const semi = V8_SEMI_SPACE_MIB_RANGE;
  if (!Number.isSafeInteger(semiSpace) || (semiSpace as number) < semi.min || (semiSpace as number) > semi.max) {
    problems.push(
      `${at}.v8SemiSpaceMiB: ${semiSpace === undefined ? 'missing' : JSON.stringify(semiSpace)}; set a whole number of MiB from ${semi.min} to ${semi.max} (docs/benchmarks.md, section 5, compares sizes)`,
    );
  }
  const arenas = environment.mallocArenaMax as unknown;
  const arena = MALLOC_ARENA_MAX_RANGE;
  if (!Number.isSafeInteger(arenas) || (arenas as number) < arena.min || (arenas as number) > arena.max) {
    problems.push(
      `${at}.mallocArenaMax: ${arenas === undefined ? 'missing' : JSON.stringify(arenas)}; set a whole number of malloc arenas from ${arena.min} to ${arena.max} (docs/benchmarks.md, section 5)`,
    );
  }
  return problems;
}

/** Exactly one of `ingress` and `gateway`, each checked on its own. */
function routingProblems(environment: EnvironmentConfig): string[] {
  const at = String(environment.name);
  const { ingress, gateway } = environment as { ingress?: IngressConfig; gateway?: GatewayConfig };
  if (ingress && gateway) {
    return [
      `${at}: sets both ingress and gateway; keep one (ingress renders an Ingress, gateway an HTTPRoute with a Gateway API controller)`,
    ];
  }
  if (gateway) return gatewayProblems(`${at}.gateway`, gateway);
  if (ingress) return ingressProblems(`${at}.ingress`, ingress);
  return [
    `${at}: no routing; set ingress (an Ingress, e.g. controller 'f5-nginx-ingress') or gateway (an HTTPRoute, e.g. controller 'envoy-gateway')`,
  ];
}

function ingressProblems(at: string, ingress: IngressConfig): string[] {
  const { controller, loadBalancing, className, controllerNamespace, host } = ingress;
  const problems = loadBalancingProblems(at, 'Ingress', String(controller), String(loadBalancing));
  if (!className) problems.push(`${at}.className: empty; set the IngressClass name (e.g. 'nginx' or 'haproxy')`);
  if (!isDns1123Label(String(controllerNamespace))) {
    problems.push(
      `${at}.controllerNamespace: '${controllerNamespace}' is not a valid namespace name; use the namespace the controller runs in`,
    );
  }
  if (host !== undefined && !HOST.test(host)) {
    problems.push(`${at}.host: '${host}' is not a DNS name; use e.g. 'shop.example.com' or leave host out to match every host`);
  }
  return problems;
}

/** The environment's `availability.minReplicasFloor` when it is a usable count, and the problems when not. */
function availabilityFloor(environment: EnvironmentConfig): { value: number | undefined; problems: string[] } {
  const at = `${environment.name}.availability`;
  const availability = environment.availability as EnvironmentConfig['availability'] | undefined;
  if (availability === undefined || availability === null) {
    return {
      value: undefined,
      problems: [`${at}: missing; set { minReplicasFloor: 2, spreadAcrossNodes: 'required' } (or 1 and 'preferred' on a one-node cluster)`],
    };
  }
  const spread = availability.spreadAcrossNodes;
  const spreadProblems = NODE_SPREADS.includes(spread)
    ? []
    : [
        `${at}.spreadAcrossNodes: '${spread}' is not a spread; use 'required' (replicas on different nodes, one node ` +
          "failure leaves the rest serving) or 'preferred' (a one-node cluster)",
      ];
  const floor = availability.minReplicasFloor;
  if (!Number.isInteger(floor) || floor < 1) {
    return {
      value: undefined,
      problems: [`${at}.minReplicasFloor: ${floor} must be a whole number >= 1 (2 keeps a replica serving)`, ...spreadProblems],
    };
  }
  return { value: floor, problems: spreadProblems };
}

function sectionsProblems(environment: EnvironmentConfig, floor: number | undefined): string[] {
  const problems: string[] = [];
  const at = `${environment.name}.sections`;
  const sections = environment.sections as Readonly<Record<string, SectionConfig>>;
  for (const name of Object.keys(sections)) {
    if ((SECTION_NAMES as readonly string[]).includes(name)) {
      problems.push(...sectionProblems({ at: `${at}.${name}`, environmentName: environment.name, name, floor }, sections[name]));
    } else {
      problems.push(`${at}.${name}: unknown section; the shop has ${SECTION_NAMES.join(', ')} (rename or remove it)`);
    }
  }
  for (const name of SECTION_NAMES) {
    if (!Object.hasOwn(sections, name)) {
      problems.push(`${at}.${name}: missing; every environment must configure all of ${SECTION_NAMES.join(', ')}`);
    }
  }
  return problems;
}

/** Where a section sits and what it is checked against. */
interface SectionContext {
  /** Field path of the section, e.g. `production.sections.cakes`. */
  readonly at: string;
  readonly environmentName: string;
  readonly name: string;
  /** The environment's availability floor; undefined when that field is itself invalid. */
  readonly floor: number | undefined;
}

function sectionProblems(context: SectionContext, section: SectionConfig): string[] {
  return [
    ...replicaProblems(context, section),
    ...imageProblems(context.at, section),
    ...pathProblems(context, section),
    ...resourceProblems(context.at, section),
  ];
}

function replicaProblems(context: SectionContext, section: SectionConfig): string[] {
  const { at, floor } = context;
  const problems: string[] = [];
  const { minReplicas, maxReplicas, cpuTargetPercent } = section;
  const minIsCount = Number.isInteger(minReplicas) && minReplicas >= 1;
  const maxIsCount = Number.isInteger(maxReplicas) && maxReplicas >= 1;
  if (!minIsCount) problems.push(`${at}.minReplicas: ${minReplicas} must be a whole number >= 1; the HPA cannot scale to zero`);
  if (!maxIsCount) problems.push(`${at}.maxReplicas: ${maxReplicas} must be a whole number >= 1`);
  // The one place min <= max is checked by name: the construct relies on it (cdk8s-plus's HPA repeats it).
  if (minIsCount && maxIsCount && minReplicas > maxReplicas) {
    problems.push(`${at}.minReplicas: ${minReplicas} must be <= maxReplicas (${maxReplicas}); lower minReplicas or raise maxReplicas`);
  }
  if (minIsCount && floor !== undefined && minReplicas < floor) {
    const field = `${context.environmentName}.availability.minReplicasFloor`;
    problems.push(`${at}.minReplicas: ${minReplicas} must be at least ${field} (${floor})${whileDraining(floor)}`);
  }
  if (!Number.isInteger(cpuTargetPercent) || cpuTargetPercent < 1 || cpuTargetPercent > 100) {
    problems.push(`${at}.cpuTargetPercent: ${cpuTargetPercent} must be a whole number from 1 to 100 (percent of the cpu request), e.g. 70`);
  }
  return problems;
}

/** Why the floor matters: the replicas that keep serving while the PodDisruptionBudget lets a drain evict. */
function whileDraining(floor: number): string {
  const serving = floor - PDB_MAX_UNAVAILABLE;
  if (serving < 1) return '';
  return serving === 1 ? ', so 1 replica serves during a node drain' : `, so ${serving} replicas serve during a node drain`;
}

function imageProblems(at: string, section: SectionConfig): string[] {
  const problems: string[] = [];
  const tag = String(section.image.tag);
  if (tag === '' || tag === 'latest') {
    problems.push(`${at}.image.tag: '${tag}' is not pinned; use an immutable version tag such as '0.1.0'`);
  } else if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    problems.push(`${at}.image.tag: '${tag}' is not a valid image tag; use letters, digits, '_', '.' and '-' (e.g. '0.1.0')`);
  }
  const repository = section.image.repository;
  if (!IMAGE_REPOSITORY.test(String(repository))) {
    problems.push(`${at}.image.repository: '${repository}' is not an image repository; use e.g. 'sweetshop/chocolates' without a tag`);
  }
  return problems;
}

// The Ingress forwards the path unchanged (no rewrite) and the service only answers under /<section>,
// so any other prefix would validate, deploy and then answer 404 to every request.
function pathProblems({ at, name }: SectionContext, section: SectionConfig): string[] {
  if (section.path === `/${name}`) return [];
  return [`${at}.path: '${section.path}' is not served: the ${name} service answers only under '/${name}'; use '/${name}'`];
}

function resourceProblems(at: string, section: SectionConfig): string[] {
  const problems: string[] = [];
  for (const key of RESOURCE_KEYS) {
    const request = section.requests[key];
    const limit = section.limits[key];
    const requestValue = quantityOrProblem(`${at}.requests.${key}`, request, key, problems);
    const limitValue = quantityOrProblem(`${at}.limits.${key}`, limit, key, problems);
    if (requestValue !== undefined && limitValue !== undefined && limitValue < requestValue) {
      problems.push(`${at}.limits.${key}: '${limit}' is below the request ('${request}'); raise the limit or lower the request`);
    }
  }
  return problems;
}

function quantityOrProblem(at: string, text: string, key: (typeof RESOURCE_KEYS)[number], problems: string[]): number | undefined {
  const example = key === 'cpu' ? "'250m' or '1'" : "'128Mi' or '1Gi'";
  const value = typeof text === 'string' ? parseQuantity(text) : undefined;
  if (value === undefined) {
    problems.push(`${at}: '${text}' is not a Kubernetes quantity; write it like ${example}`);
    return undefined;
  }
  if (value <= 0) {
    problems.push(`${at}: '${text}' must be greater than zero; write it like ${example}`);
    return undefined;
  }
  return value;
}
