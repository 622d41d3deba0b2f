/**
 * Validates built-in Kubernetes objects against the OpenAPI v3 documents of one Kubernetes release, the way
 * `kubectl apply --validate=strict` has the API server do it: a field the schema does not define is an
 * error, as is a wrong type or a missing required field. The documents are the ones the API server serves
 * at /openapi/v3/<group-version> (or k8s.io/kubernetes's api/openapi-spec/v3, generated from the same
 * types); nothing here is a hand-kept copy of a schema. Ajv does the validation with crd-schema.ts's
 * Kubernetes keywords and formats.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Ajv, ValidateFunction } from 'ajv';

import { describeError, kubernetesAjv } from './crd-schema.ts';

type Schema = Record<string, any>;
type Resource = { apiVersion: string; kind: string; metadata?: { name?: string } };

/** One served document: `{ components: { schemas } }` of a group-version. */
export interface OpenApiDocument {
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
}

const COMPONENT_REF = '#/components/schemas/';
/** Keywords of the Kubernetes documents that only annotate (patch strategies, unions, GVKs). */
const ANNOTATIONS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-unions',
];

/** The discovery path of an apiVersion: `v1` -> `api/v1`, `apps/v1` -> `apis/apps/v1`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`;
}

/** How k8s.io/kubernetes names a path's file in api/openapi-spec/v3 (`apis/apps/v1` -> `apis__apps__v1_openapi.json`). */
export function specFileName(path: string): string {
  return `${path.replaceAll('/', '__')}_openapi.json`;
}

/** Reads every group-version document of a folder laid out like api/openapi-spec/v3. */
export function readSpecFolder(dir: string): Map<string, OpenApiDocument> {
  const documents = new Map<string, OpenApiDocument>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('_openapi.json'))) {
    documents.set(file.slice(0, -'_openapi.json'.length).replaceAll('__', '/'), JSON.parse(readFileSync(join(dir, file), 'utf8')));
  }
  return documents;
}

/**
 * A node of a component with its references pointing to this document's `definitions`, and closed
 * (additionalProperties false) where it lists properties: what strict field validation rejects. Objects
 * without properties (RawExtension, FieldsV1) stay open, as the server keeps them.
 */
function strictNode(node: Schema): Schema {
  const out: Schema = { ...node };
  if (typeof out.$ref === 'string') out.$ref = `#/definitions/${out.$ref.slice(COMPONENT_REF.length)}`;
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Schema).map(([key, value]) => [key, strictNode(value)]));
    out.additionalProperties ??= false;
  }
  if (out.items) out.items = strictNode(out.items);
  if (typeof out.additionalProperties === 'object') out.additionalProperties = strictNode(out.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(out[key])) out[key] = out[key].map((branch: Schema) => strictNode(branch));
  }
  return out;
}

/** The documents of one Kubernetes release, compiled per kind on first use. */
export class OpenApiValidators {
  private readonly ajv: Ajv = kubernetesAjv();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly registered = new Set<string>();
  private readonly documents: ReadonlyMap<string, OpenApiDocument>;
  readonly release: string;

  /** `documents`: group-version path (`apis/apps/v1`) -> its document; `release` names them in messages. */
  constructor(documents: ReadonlyMap<string, OpenApiDocument>, release: string) {
    this.documents = documents;
    this.release = release;
    for (const keyword of ANNOTATIONS) this.ajv.addKeyword({ keyword });
    this.ajv.addFormat('int-or-string', true);
  }

  /** The component that declares this apiVersion and kind (x-kubernetes-group-version-kind), or undefined. */
  componentOf(resource: Resource): string | undefined {
    const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : ['', resource.apiVersion];
    const schemas = this.documents.get(groupVersionPath(resource.apiVersion))?.components.schemas ?? {};
    return Object.keys(schemas).find((name) =>
      (schemas[name]!['x-kubernetes-group-version-kind'] ?? []).some(
        (gvk: Schema) => gvk.group === group && gvk.version === version && gvk.kind === resource.kind,
      ),
    );
  }

  /** The problems of one object, one line each; empty when the release's schema accepts it strictly. */
  problems(resource: Resource): string[] {
    const path = groupVersionPath(resource.apiVersion);
    const component = this.componentOf(resource);
    if (component === undefined) return [`Kubernetes ${this.release} serves no ${resource.kind} in ${resource.apiVersion}`];
    const validate = this.validatorOf(path, component);
    return validate(resource) ? [] : (validate.errors ?? []).map(describeError);
  }

  private validatorOf(path: string, component: string): ValidateFunction {
    const key = `${path} ${component}`;
    let validate = this.compiled.get(key);
    if (validate) return validate;
    // An absolute id per document: its references are relative to it, as in the served document.
    const documentId = `https://kubernetes.invalid/${encodeURIComponent(this.release)}/${path}`;
    if (!this.registered.has(path)) {
      const schemas = this.documents.get(path)!.components.schemas;
      const definitions = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, strictNode(schema)]));
      this.ajv.addSchema({ $id: documentId, definitions });
      this.registered.add(path);
    }
    validate = this.ajv.compile({ $ref: `${documentId}#/definitions/${component}` });
    this.compiled.set(key, validate);
    return validate;
  }
}
