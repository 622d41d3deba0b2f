import { unsupportedLoadBalancing } from '../../charts/load-balancing.ts';
import { parseQuantity } from './quantity.ts';
import type { EnvironmentConfig, ResourceQuantities, SectionConfig } from './types.ts';
import { IMAGE_PULL_POLICIES, INGRESS_CONTROLLERS, LOAD_BALANCING_ALGORITHMS, LOG_LEVELS, SECTION_NAMES } from './types.ts';

/** Environments whose floor must be at least 2 replicas per section (the PDB must allow an eviction). */
const HIGH_AVAILABILITY_ENVIRONMENTS: readonly string[] = ['production'];

const RESOURCE_KEYS = ['cpu', 'memory', 'ephemeralStorage'] as const satisfies readonly (keyof ResourceQuantities)[];
// Optional registry host[:port]/, then lowercase path components; a ':tag' or '@digest' is not allowed here.
const IMAGE_REPOSITORY = /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Thrown with every problem found in one environment, one line each. */
export class EnvironmentValidationError extends Error {
  public readonly problems: readonly string[];

  constructor(envName: string, problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`environment '${envName}' is invalid (${count}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvironmentValidationError';
    this.problems = problems;
  }
}

/**
 * Checks `env` once, before any construct exists, and returns it unchanged when valid.
 * Collects every problem (field path, value, what to change) and throws them together.
 */
export function validateEnvironment(env: EnvironmentConfig): EnvironmentConfig {
  const problems = environmentProblems(env);
  if (problems.length > 0) throw new EnvironmentValidationError(String(env.name), problems);
  return env;
}

/** Every problem in `env`, in field order; empty when it is valid. */
export function environmentProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const at = String(env.name);
  if (!DNS_LABEL.test(String(env.namespace))) {
    problems.push(`${at}.namespace: '${env.namespace}' is not a valid namespace name; use lowercase letters, digits and '-' (at most 63)`);
  }
  if (!IMAGE_PULL_POLICIES.includes(env.imagePullPolicy)) {
    problems.push(`${at}.imagePullPolicy: '${env.imagePullPolicy}' is not a pull policy; use one of ${IMAGE_PULL_POLICIES.join(', ')}`);
  }
  if (!LOG_LEVELS.includes(env.logLevel)) {
    problems.push(`${at}.logLevel: '${env.logLevel}' is not a pino level; use one of ${LOG_LEVELS.join(', ')}`);
  }
  problems.push(...ingressProblems(env));

  const sections = env.sections as Readonly<Record<string, SectionConfig>>;
  for (const name of Object.keys(sections)) {
    if (!(SECTION_NAMES as readonly string[]).includes(name)) {
      problems.push(`${at}.sections.${name}: unknown section; the shop has ${SECTION_NAMES.join(', ')} (rename or remove it)`);
      continue;
    }
    problems.push(...sectionProblems(`${at}.sections.${name}`, name, sections[name], HIGH_AVAILABILITY_ENVIRONMENTS.includes(at)));
  }
  for (const name of SECTION_NAMES) {
    if (!Object.hasOwn(sections, name))
      problems.push(`${at}.sections.${name}: missing; every environment must configure all of ${SECTION_NAMES.join(', ')}`);
  }
  return problems;
}

function ingressProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const at = `${env.name}.ingress`;
  const { controller, loadBalancing } = env.ingress;
  const knownController = INGRESS_CONTROLLERS.includes(controller);
  const knownAlgorithm = LOAD_BALANCING_ALGORITHMS.includes(loadBalancing);
  if (!knownController) problems.push(`${at}.controller: '${controller}' is not supported; use one of ${INGRESS_CONTROLLERS.join(', ')}`);
  if (!knownAlgorithm) {
    problems.push(`${at}.loadBalancing: '${loadBalancing}' is not an algorithm; use one of ${LOAD_BALANCING_ALGORITHMS.join(', ')}`);
  }
  if (knownController && knownAlgorithm) {
    const reason = unsupportedLoadBalancing(controller, loadBalancing);
    if (reason !== undefined) problems.push(`${at}.loadBalancing: ${reason}`);
  }
  if (!env.ingress.className) problems.push(`${at}.className: empty; set the IngressClass name (e.g. 'nginx' or 'haproxy')`);
  if (!DNS_LABEL.test(String(env.ingress.controllerNamespace))) {
    problems.push(
      `${at}.controllerNamespace: '${env.ingress.controllerNamespace}' is not a valid namespace name; use the namespace the controller runs in`,
    );
  }
  if (env.ingress.host !== undefined && !/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(env.ingress.host)) {
    problems.push(`${at}.host: '${env.ingress.host}' is not a DNS name; use e.g. 'shop.example.com' or leave host out to match every host`);
  }
  return problems;
}

function sectionProblems(at: string, name: string, section: SectionConfig, highAvailability: boolean): string[] {
  const problems: string[] = [];
  const { minReplicas, maxReplicas, cpuTargetPercent } = section;
  const minIsCount = Number.isInteger(minReplicas) && minReplicas >= 1;
  const maxIsCount = Number.isInteger(maxReplicas) && maxReplicas >= 1;
  if (!minIsCount) problems.push(`${at}.minReplicas: ${minReplicas} must be a whole number >= 1; the HPA cannot scale to zero`);
  if (!maxIsCount) problems.push(`${at}.maxReplicas: ${maxReplicas} must be a whole number >= 1`);
  if (minIsCount && maxIsCount && minReplicas > maxReplicas) {
    problems.push(`${at}.minReplicas: ${minReplicas} must be <= maxReplicas (${maxReplicas}); lower minReplicas or raise maxReplicas`);
  }
  if (highAvailability && minIsCount && minReplicas < 2) {
    problems.push(
      `${at}.minReplicas: ${minReplicas} must be at least 2 so the PodDisruptionBudget can allow an eviction while a replica keeps serving`,
    );
  }
  if (!Number.isInteger(cpuTargetPercent) || cpuTargetPercent < 1 || cpuTargetPercent > 100) {
    problems.push(`${at}.cpuTargetPercent: ${cpuTargetPercent} must be a whole number from 1 to 100 (percent of the cpu request), e.g. 70`);
  }

  const tag = String(section.image.tag);
  if (tag === '' || tag === 'latest') {
    problems.push(`${at}.image.tag: '${tag}' is not pinned; use an immutable version tag such as '0.1.0'`);
  } else if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    problems.push(`${at}.image.tag: '${tag}' is not a valid image tag; use letters, digits, '_', '.' and '-' (e.g. '0.1.0')`);
  }
  if (!IMAGE_REPOSITORY.test(String(section.image.repository))) {
    problems.push(
      `${at}.image.repository: '${section.image.repository}' is not an image repository; use e.g. 'sweetshop/chocolates' without a tag`,
    );
  }
  // The Ingress forwards the path unchanged (no rewrite) and the service only answers under /<section>,
  // so any other prefix would validate, deploy and then answer 404 to every request.
  if (section.path !== `/${name}`) {
    problems.push(`${at}.path: '${section.path}' is not served: the ${name} service answers only under '/${name}'; use '/${name}'`);
  }

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
