/**
 * Validates custom resources against the openAPIV3Schema of the CRDs vendored under crds/, the way an
 * API server treats them: a field the schema does not define is an error here (the server would prune
 * it silently), unless `x-kubernetes-preserve-unknown-fields` keeps it. Ajv (JSON Schema) does the
 * validation; the Kubernetes extensions are its custom keywords:
 * - x-kubernetes-int-or-string: an integer or a string;
 * - x-kubernetes-list-type map (keys in x-kubernetes-list-map-keys) / set: no two items share a key / value;
 * - x-kubernetes-embedded-resource: apiVersion, kind and metadata are allowed besides the properties;
 * - x-kubernetes-map-type: annotation only; x-kubernetes-validations: CEL rules, NOT evaluated (see docs).
 * `metadata` at the root is ObjectMeta (the server checks it, not the CRD): only its known fields pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

type Schema = Record<string, any>;
type Resource = { apiVersion: string; kind: string; metadata?: { name?: string } };

export const CRD_DIR = join(REPO_ROOT, 'crds');

const OBJECT_META: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
    generateName: { type: 'string' },
    namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
  },
};

/** The formats these CRDs use; int32/int64 bound integers, as the Go types behind them do. */
const FORMATS = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i,
  ipv4: (text: string) => isIPv4(text),
  ipv6: (text: string) => isIPv6(text),
} as const;

/** The schema with every object node closed (additionalProperties false) where the API server would prune. */
export function strictSchema(schema: Schema, root = true): Schema {
  const out: Schema = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Schema).map(([key, value]) => [key, strictSchema(value, false)]));
  }
  if (out.items) out.items = strictSchema(out.items, false);
  if (typeof out.additionalProperties === 'object') out.additionalProperties = strictSchema(out.additionalProperties, false);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(out[key])) out[key] = out[key].map((branch: Schema) => strictSchema(branch, false));
  }
  if (out['x-kubernetes-embedded-resource']) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META, ...out.properties };
  }
  if (root) out.properties = { ...out.properties, metadata: { ...OBJECT_META, required: ['name'] } };
  // Branches of anyOf/allOf carry no type in a structural schema, so only typed object nodes are closed.
  if (out.type === 'object' && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** An Ajv instance that knows the Kubernetes keywords and formats. */
export function kubernetesAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format as Parameters<Ajv['addFormat']>[1]);
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    errors: false,
    validate: (enabled: boolean, data: unknown) => !enabled || Number.isInteger(data) || typeof data === 'string',
  });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    errors: false,
    validate: (listType: string, data: unknown[], parent?: Schema) => uniqueList(listType, data, parent?.['x-kubernetes-list-map-keys']),
  });
  for (const keyword of [
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-validations',
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv;
}

function uniqueList(listType: string, items: unknown[], mapKeys: string[] | undefined): boolean {
  if (listType === 'atomic') return true;
  const identity = (item: unknown) =>
    JSON.stringify(listType === 'map' ? (mapKeys ?? []).map((key) => (item as Record<string, unknown>)[key]) : item);
  return new Set(items.map(identity)).size === items.length;
}

/** The custom resources the vendored CRDs serve, each validated against its version's strict schema. */
export class CrdValidators {
  private readonly schemas = new Map<string, Schema>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = kubernetesAjv();

  /** Reads every CustomResourceDefinition under `dir` (compiled on first use: the EnvoyProxy schema alone takes seconds). */
  constructor(dir = CRD_DIR) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS() as Schema;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions.filter((each: Schema) => each.served)) {
          this.schemas.set(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
        }
      }
    }
  }

  /** `group/version kind` of every custom resource type the vendored CRDs serve. */
  get types(): string[] {
    return [...this.schemas.keys()].sort();
  }

  /** True when a vendored CRD serves this apiVersion and kind. */
  serves(resource: Resource): boolean {
    return this.schemas.has(key(resource));
  }

  /** The problems of one custom resource, one line each; empty when it is valid. */
  problems(resource: Resource): string[] {
    const schema = this.schemas.get(key(resource));
    if (!schema) return [`no CRD under crds/ serves ${key(resource)}`];
    let validate = this.compiled.get(key(resource));
    if (!validate) {
      validate = this.ajv.compile(strictSchema(schema));
      this.compiled.set(key(resource), validate);
    }
    return validate(resource) ? [] : (validate.errors ?? []).map(describeError);
  }
}

function key(resource: Resource): string {
  return `${resource.apiVersion} ${resource.kind}`;
}

/** One line per Ajv error: the field path, and what the server would say of it. */
export function describeError(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword === 'additionalProperty' || error.keyword === 'additionalProperties') {
    return `${at}: unknown field '${(error.params as { additionalProperty: string }).additionalProperty}' (the API server would prune it)`;
  }
  if (error.keyword === 'x-kubernetes-list-type') return `${at}: duplicate items in a list-type ${String(error.schema)} list`;
  if (error.keyword.startsWith('x-kubernetes-')) return `${at}: violates ${error.keyword} ${JSON.stringify(error.schema)}`;
  return `${at}: ${error.message}${error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`;
}
