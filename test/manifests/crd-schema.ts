// Strict validation of rendered custom resources against the openAPIV3Schema of the CRDs vendored under
// crds/, with ajv. "Strict" as an API server with field validation Strict (kubectl's default): a field the
// schema does not define is an error, except under `x-kubernetes-preserve-unknown-fields`. Types, enums,
// patterns, required fields, formats, int-or-string and list-type set/map uniqueness are checked; CEL rules
// (`x-kubernetes-validations`) are not evaluated (only an API server does that).

import { readdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

export const CRDS_DIR = join(REPO_ROOT, 'crds');

type Schema = Record<string, any>;

/** What a manifest needs for this check: its type and content. */
export interface ObjectManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
}

/**
 * The rendered fields of ObjectMeta (a CRD's schema says only `metadata: {type: object}`; the API server
 * checks it as ObjectMeta). Anything else under metadata is refused.
 */
const OBJECT_META: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
    namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export class CrdSchemas {
  readonly #schemas = new Map<string, Schema>();
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #ajv = strictAjv();

  /** Reads every CustomResourceDefinition in `dir` (recursively), one schema per served version. */
  constructor(dir: string = CRDS_DIR) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name))) {
      for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = document.toJS() as Schema | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions as Schema[]) {
          if (version.served === false) continue;
          this.#schemas.set(keyOf(`${crd.spec.group}/${version.name}`, crd.spec.names.kind), version.schema.openAPIV3Schema);
        }
      }
    }
  }

  /** `group/version kind` of every custom resource type these CRDs define. */
  get types(): string[] {
    return [...this.#schemas.keys()].sort();
  }

  /** Whether a vendored CRD defines the object's apiVersion and kind. */
  defines(manifest: ObjectManifest): boolean {
    return this.#schemas.has(keyOf(manifest.apiVersion, manifest.kind));
  }

  /** Every way `manifest` breaks its CRD's schema (field path and message); throws when no CRD defines its type. */
  problems(manifest: ObjectManifest): string[] {
    const key = keyOf(manifest.apiVersion, manifest.kind);
    const schema = this.#schemas.get(key);
    if (schema === undefined) throw new Error(`${manifest.kind}/${manifest.metadata.name}: no vendored CRD defines ${key} (crds/)`);
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      validate = this.#ajv.compile(strictSchema(schema, true));
      this.#validators.set(key, validate);
    }
    return validate(manifest) ? [] : (validate.errors ?? []).map(describe);
  }
}

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword === 'additionalProperties') return `${at}: unknown field '${error.params.additionalProperty}'`;
  if (error.keyword === 'x-kubernetes-list-type') return `${at}: duplicate items in a list-type set or map`;
  return `${at}: ${error.message}${error.keyword === 'enum' ? ` (${error.params.allowedValues.join(', ')})` : ''}`;
}

/**
 * A copy of `schema` that refuses unknown fields: every object without its own `additionalProperties` or
 * `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false` (what the API server prunes, or
 * refuses under Strict field validation), and the root's metadata is checked as ObjectMeta.
 */
function strictSchema(schema: Schema, root = false): Schema {
  const copy: Schema = Array.isArray(schema) ? (schema.map((item) => strictSchema(item)) as Schema) : { ...schema };
  if (Array.isArray(schema)) return copy;
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    if (copy[key]) copy[key] = Object.fromEntries(Object.entries(copy[key] as Schema).map(([name, child]) => [name, strictSchema(child)]));
  }
  for (const key of ['items', 'additionalProperties', 'not']) {
    if (typeof copy[key] === 'object' && copy[key] !== null) copy[key] = strictSchema(copy[key]);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(copy[key])) copy[key] = copy[key].map((child: Schema) => strictSchema(child));
  if (copy.type === 'object' && copy.additionalProperties === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true) {
    copy.additionalProperties = false;
  }
  if (root) copy.properties = { ...copy.properties, metadata: OBJECT_META };
  return copy;
}

/** ajv with the OpenAPI formats and Kubernetes extensions the vendored CRDs use. */
function strictAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, validateFormats: true });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('ipv4', (text: string) => isIPv4(text));
  ajv.addFormat('ipv6', (text: string) => isIPv6(text));
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (on: boolean, data: unknown) => !on || typeof data === 'string' || Number.isInteger(data),
  });
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', schemaType: 'string', validate: listTypeHolds });
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

/** `set`: no two equal items; `map`: no two items with the same values at `x-kubernetes-list-map-keys`. */
function listTypeHolds(listType: string, data: unknown, parentSchema?: Schema): boolean {
  if (!Array.isArray(data) || listType === 'atomic') return true;
  const keys: string[] = listType === 'map' ? (parentSchema?.['x-kubernetes-list-map-keys'] ?? []) : [];
  const identity = (item: unknown) => JSON.stringify(listType === 'map' ? keys.map((key) => (item as Schema)?.[key]) : item);
  return new Set(data.map(identity)).size === data.length;
}
