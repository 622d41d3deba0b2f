import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments } from 'yaml';

import {
  DNS_1035_LABEL_RULE,
  DNS_1123_SUBDOMAIN_RULE,
  ENV_VAR_NAME_RULE,
  isDns1035Label,
  isDns1123Subdomain,
  isEnvVarName,
} from '../../../config/kubernetes-names.ts';
import { isJsonObject, type JsonObject } from '../../lib/json-object.ts';
import { balanceFromIngressAnnotations } from '../nginx/balance.ts';
import { nginxLocations } from '../nginx/nginx-config.ts';
import { isPlainUrlPath, PLAIN_URL_PATH_RULE } from '../nginx/plain-url-path.ts';
import { readProbe } from '../supervisor/probes.ts';
import { readContainerLimits } from '../supervisor/resource-limits.ts';
import { readGatewayRoutes } from './gateway-routes.ts';
import { missingServiceReason } from './service-refs.ts';
import type { AutoscalingSource, DeploymentSpec, EnvVarSpec, ManifestObject, RouteSpec, ServiceSpec, ShopManifests } from './types.ts';

type Json = JsonObject;

/** Reads every `*.yaml` / `*.yml` file of a directory (e.g. dist/) into what local mode runs. */
export function readShopManifests(dir: string): ShopManifests {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (error) {
    throw new Error(`cannot read manifests directory ${dir}: ${(error as Error).message} (run \`npm run synth\` first)`);
  }
  if (files.length === 0) throw new Error(`no *.yaml manifests in ${dir} (run \`npm run synth\` first)`);
  const objects: ManifestObject[] = [];
  for (const file of files) objects.push(...parseManifestFile(join(dir, file), readFileSync(join(dir, file), 'utf8')));
  return interpretManifests(objects);
}

/** Parses one multi-document YAML file; exported for tests. */
export function parseManifestFile(path: string, text: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const where = `${path} document ${index + 1}`;
    if (doc.errors.length > 0) throw new Error(`${where}: invalid YAML: ${doc.errors[0]!.message}`);
    let body: unknown;
    try {
      body = doc.toJS();
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`); // e.g. an alias bomb: "Excessive alias count ..."
    }
    if (body === null || body === undefined) return;
    if (!isJsonObject(body) || typeof body.kind !== 'string') throw new Error(`${where}: not a Kubernetes object (no kind)`);
    const name = isJsonObject(body.metadata) ? body.metadata.name : undefined;
    if (typeof name !== 'string') throw new Error(`${where}: ${body.kind} has no metadata.name`);
    checkName(body.kind, name, where);
    objects.push({ kind: body.kind, name, source: `${path} (${body.kind} ${name})`, document: where, body });
  });
  return objects;
}

// Names of the kinds local mode reads end up in nginx.conf (Service) or in replica names and messages;
// Kubernetes itself would refuse anything else.
function checkName(kind: string, name: string, where: string): void {
  if (kind === 'Service' && !isDns1035Label(name))
    throw new Error(`${where}: Service metadata.name ${JSON.stringify(name)} is not a DNS-1035 label (${DNS_1035_LABEL_RULE})`);
  if (['Deployment', 'Ingress', 'HorizontalPodAutoscaler'].includes(kind) && !isDns1123Subdomain(name))
    throw new Error(`${where}: ${kind} metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain (${DNS_1123_SUBDOMAIN_RULE})`);
}

/** Turns parsed objects into deployments, services and routes, checking every reference. */
export function interpretManifests(objects: readonly ManifestObject[]): ShopManifests {
  checkUniqueNames(objects);
  const minReplicas = new Map<string, number>();
  const hpas = new Map<string, NonNullable<AutoscalingSource['hpa']>>();
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const spec = asObject(hpa.body.spec, `${hpa.source}: spec`);
    const target = asObject(spec.scaleTargetRef, `${hpa.source}: spec.scaleTargetRef`);
    if (target.kind !== 'Deployment' || typeof target.name !== 'string') continue;
    const other = hpas.get(target.name);
    // Two controllers would fight over one count; Kubernetes reports AmbiguousSelector and scales neither.
    if (other) throw new Error(`${hpa.source}: Deployment ${target.name} already has ${other.source}: one HPA per Deployment`);
    const min = readCount(spec.minReplicas ?? 1, `${hpa.source}: spec.minReplicas`);
    if (Number.isInteger(spec.maxReplicas) && (spec.maxReplicas as number) < min)
      throw new Error(
        `${hpa.source}: spec.minReplicas (${min}) is above spec.maxReplicas (${spec.maxReplicas}), which the API server refuses`,
      );
    minReplicas.set(target.name, min);
    hpas.set(target.name, { name: hpa.name, source: hpa.source, spec });
  }

  const deployments = objects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => readDeployment(d, minReplicas.get(d.name), hpas.get(d.name)));
  if (deployments.length === 0) throw new Error('the manifests contain no Deployment: nothing to run');

  const services = objects.filter((o) => o.kind === 'Service').flatMap((s) => readService(s, deployments));

  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  const gateway = readGatewayRoutes(objects, services);
  const routes = [...ingresses.flatMap((ingress) => readRoutes(ingress, services, objects)), ...gateway.routes];
  if (routes.length === 0) throw new Error('the manifests contain no Ingress path or HTTPRoute rule: nginx would have nothing to route');
  checkDistinctLocations(routes);

  const balances = [
    ...ingresses.map((i) => balanceFromIngressAnnotations(readAnnotations(i), i.name)).filter((b) => b !== undefined),
    ...gateway.balances,
  ];
  const balance = balances[0];
  const conflicting = balances.find((b) => b.algorithm !== balance?.algorithm);
  if (conflicting)
    throw new Error(`the routes disagree on load balancing (${balance!.source} vs ${conflicting.source}): local mode runs one nginx`);
  return { deployments, services, routes, balance };
}

// A Deployment's name is its section, a Service's its nginx upstream: two of one name (in two namespaces,
// or the same object twice) cannot both run here.
function checkUniqueNames(objects: readonly ManifestObject[]): void {
  for (const kind of ['Deployment', 'Service']) {
    const first = new Map<string, ManifestObject>();
    for (const object of objects.filter((o) => o.kind === kind)) {
      const earlier = first.get(object.name);
      if (earlier)
        throw new Error(
          `${object.document}: a second ${kind} ${object.name} (the first is ${earlier.document}): local mode runs one ${kind === 'Service' ? 'nginx upstream' : 'section'} per ${kind} name, whatever the namespace`,
        );
      first.set(object.name, object);
    }
  }
}

// nginx refuses a location given twice, and would say so only after every replica started, naming a
// temporary file: compare the locations each route becomes (nginxLocations) here instead.
function checkDistinctLocations(routes: readonly RouteSpec[]): void {
  const owner = new Map<string, RouteSpec>();
  for (const route of routes) {
    for (const location of nginxLocations(route)) {
      const earlier = owner.get(location);
      if (earlier)
        throw new Error(
          `${route.source} (${route.pathType} ${route.path}) and ${earlier.source} (${earlier.pathType} ${earlier.path}) both become the nginx location "${location}", which nginx takes once: keep one (local mode does not emulate Kubernetes' precedence between overlapping paths)`,
        );
      owner.set(location, route);
    }
  }
}

function readDeployment(object: ManifestObject, hpaMinReplicas: number | undefined, hpa: AutoscalingSource['hpa']): DeploymentSpec {
  const spec = asObject(object.body.spec, `${object.source}: spec`);
  const template = asObject(spec.template, `${object.source}: spec.template`);
  const podSpec = asObject(template.spec, `${object.source}: spec.template.spec`);
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new Error(`${object.source}: spec.template.spec.containers is empty`);
  // contracts.md names the workload container `service`; a sidecar (if any) is not run locally.
  const container = containers.find((c) => isJsonObject(c) && c.name === 'service');
  if (!isJsonObject(container)) {
    const names = containers.map((c) => (isJsonObject(c) ? String(c.name) : JSON.stringify(c))).join(', ');
    throw new Error(
      `${object.source}: spec.template.spec.containers has no container named service (it has ${names}): local mode runs that one (contracts.md)`,
    );
  }
  const env = (Array.isArray(container.env) ? container.env : []).flatMap((entry, i) => readEnvVar(entry, `${object.source}: env[${i}]`));
  checkEnvTotal(env, object.source);
  const replicas = hpaMinReplicas ?? (spec.replicas === undefined ? 1 : readCount(spec.replicas, `${object.source}: spec.replicas`));
  const metadata = isJsonObject(template.metadata) ? template.metadata : {};
  const autoscaling = { ...(hpa ? { hpa } : {}), deploymentSource: object.source, containerResources: container.resources };
  const readinessProbe = readProbe(container, 'readinessProbe', object.source);
  const livenessProbe = readProbe(container, 'livenessProbe', object.source);
  const grace = podSpec.terminationGracePeriodSeconds ?? 30;
  if (!Number.isInteger(grace) || (grace as number) < 0 || (grace as number) > 3_600)
    throw new Error(`${object.source}: terminationGracePeriodSeconds ${JSON.stringify(grace)}: expected an integer 0..3600`);
  return {
    name: object.name,
    replicas,
    env,
    podLabels: readStringMap(metadata.labels),
    autoscaling,
    ...(readinessProbe ? { readinessProbe } : {}),
    ...(livenessProbe ? { livenessProbe } : {}),
    terminationGracePeriodSeconds: grace as number,
    limits: readContainerLimits(container.resources),
  };
}

function readEnvVar(entry: unknown, where: string): EnvVarSpec[] {
  const env = asObject(entry, where);
  if (typeof env.name !== 'string') throw new Error(`${where}: env entry has no name`);
  if (!isEnvVarName(env.name))
    throw new Error(`${where}: name ${JSON.stringify(env.name)} is not a valid env var name (${ENV_VAR_NAME_RULE})`);
  if (env.valueFrom === undefined) {
    const value = env.value === undefined ? '' : String(env.value);
    if (value.includes('\0')) throw new Error(`${where}: ${env.name} has a NUL byte in its value, which no process environment can hold`);
    const bytes = envBytes(env.name, value);
    if (bytes > MAX_ENV_STRING_BYTES)
      throw new Error(
        `${where}: ${env.name} is ${bytes.toLocaleString('en-US')} bytes as ${env.name}=value, above the ${MAX_ENV_STRING_BYTES.toLocaleString('en-US')} bytes Linux allows one environment string (MAX_ARG_STRLEN): no process can start with it`,
      );
    return [{ name: env.name, value }];
  }
  const fieldPath = isJsonObject(env.valueFrom) && isJsonObject(env.valueFrom.fieldRef) ? env.valueFrom.fieldRef.fieldPath : undefined;
  if (fieldPath === 'metadata.name') return [{ name: env.name, podName: true }];
  // Secrets, ConfigMaps and other fieldRefs have no local source: say so rather than inventing a value.
  throw new Error(
    `${where}: ${env.name} uses valueFrom ${JSON.stringify(env.valueFrom)}, which local mode cannot provide (only fieldRef metadata.name)`,
  );
}

// Linux: one NAME=value string of an exec'd process's environment, NUL included, may hold 32 pages.
const MAX_ENV_STRING_BYTES = 128 * 1024;
// All of a replica's environment: half of the usual 2 MiB the kernel allows arguments and environment
// together (a quarter of the 8 MiB stack limit), the rest for the inherited PATH, HOME and the arguments.
const MAX_ENV_TOTAL_BYTES = 1024 * 1024;

function envBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}=${value}`) + 1;
}

function checkEnvTotal(env: readonly EnvVarSpec[], source: string): void {
  // A pod name (fieldRef) is at most 253 bytes.
  const total = env.reduce((sum, v) => sum + envBytes(v.name, 'value' in v ? v.value : 'x'.repeat(253)), 0);
  if (total > MAX_ENV_TOTAL_BYTES)
    throw new Error(
      `${source}: container service env is ${total.toLocaleString('en-US')} bytes in all, above the local cap of ${MAX_ENV_TOTAL_BYTES.toLocaleString('en-US')} bytes (1 MiB): a process environment this large fails to start (E2BIG)`,
    );
}

function readService(object: ManifestObject, deployments: readonly DeploymentSpec[]): ServiceSpec[] {
  const spec = asObject(object.body.spec, `${object.source}: spec`);
  const selector = readStringMap(spec.selector);
  if (Object.keys(selector).length === 0) return [];
  const selected = deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.podLabels[k] === v));
  if (selected.length !== 1) {
    const found = selected.length === 0 ? 'no Deployment' : `${selected.length} Deployments (${selected.map((d) => d.name).join(', ')})`;
    throw new Error(`${object.source}: selector ${JSON.stringify(selector)} matches ${found}; local mode needs exactly one`);
  }
  return [{ name: object.name, deployment: selected[0]!.name }];
}

function readRoutes(object: ManifestObject, services: readonly ServiceSpec[], objects: readonly ManifestObject[]): RouteSpec[] {
  const spec = asObject(object.body.spec, `${object.source}: spec`);
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  return rules.flatMap((rule, r) => {
    const http = isJsonObject(rule) && isJsonObject(rule.http) ? rule.http : undefined;
    const paths = http && Array.isArray(http.paths) ? http.paths : [];
    return paths.map((entry, p): RouteSpec => {
      const where = `${object.source}: rules[${r}].http.paths[${p}]`;
      const path = asObject(entry, where);
      if (typeof path.path !== 'string' || !isPlainUrlPath(path.path))
        throw new Error(`${where}.path ${JSON.stringify(path.path)} is not a plain URL path: ${PLAIN_URL_PATH_RULE}`);
      const pathType = readPathType(path.pathType, `${where}.pathType`);
      const backend = isJsonObject(path.backend) && isJsonObject(path.backend.service) ? path.backend.service : undefined;
      const serviceName = backend?.name;
      if (typeof serviceName !== 'string') throw new Error(`${where}: backend.service.name is missing`);
      if (!services.some((s) => s.name === serviceName)) throw new Error(`${where}: ${missingServiceReason(serviceName, objects)}`);
      return { path: path.path, pathType, service: serviceName, source: where };
    });
  });
}

// ImplementationSpecific behaves as Prefix in ingress-nginx (for a plain path: no regular expressions here).
function readPathType(value: unknown, where: string): RouteSpec['pathType'] {
  if (value === 'Exact' || value === 'Prefix') return value;
  if (value === 'ImplementationSpecific') return 'Prefix';
  throw new Error(`${where} ${JSON.stringify(value) ?? '(missing)'} must be Exact, Prefix or ImplementationSpecific`);
}

function readAnnotations(object: ManifestObject): Record<string, string> {
  return isJsonObject(object.body.metadata) ? readStringMap(object.body.metadata.annotations) : {};
}

function readCount(value: unknown, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new Error(`${where}: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return value as number;
}

function readStringMap(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function asObject(value: unknown, where: string): Json {
  if (!isJsonObject(value)) throw new Error(`${where} is missing or not a mapping`);
  return value;
}
