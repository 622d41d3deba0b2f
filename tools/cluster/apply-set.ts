// The shop's ApplySet (KEP-3659), the set `kubectl apply --prune --applyset` prunes within: only objects
// carrying its member label are ever deleted, so nothing outside the shop's set is touched.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseAllDocuments } from 'yaml';

/** The label kubectl adds to every object it applies with --applyset; its value is the set's ID. */
export const PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
/**
 * kubectl hides --applyset behind this variable while ApplySets are alpha (kubectl 1.27 up to at least
 * 1.33); without it the flag is unknown.
 */
export const APPLYSET_ENV = { KUBECTL_APPLYSET: 'true' } as const;
/** kubectl 1.27 introduced --applyset. */
export const MIN_KUBECTL_MINOR = 27;

/**
 * The set's parent object: a Secret in the shop's namespace. kubectl creates it on the first apply and
 * records the member kinds on it. A Secret, not a ConfigMap: kubectl's default, and the KEP's advice (fewer
 * people may write Secrets, and whoever can write the parent can widen what the next prune deletes).
 */
export interface ApplySetParent {
  readonly name: string;
  readonly namespace: string;
}

export function applySetParent(namespace: string): ApplySetParent {
  return { name: 'sweetshop-applyset', namespace };
}

/** The `--applyset` value; a namespaced parent also needs `--namespace` on the command line. */
export function applySetFlag(parent: ApplySetParent): string {
  return `--applyset=secrets/${parent.name}`;
}

/** The set's ID as kubectl computes it: base64url(sha256("<name>.<namespace>.<kind>.<group>")), group "" for core. */
export function applySetId(parent: ApplySetParent): string {
  const hash = createHash('sha256').update(`${parent.name}.${parent.namespace}.Secret.`).digest('base64url');
  return `applyset-${hash}-v1`;
}

/**
 * Every object of the manifests in `dir` (the files `kubectl apply --filename <dir>` reads) with the member
 * label kubectl will add, as one YAML stream. `kubectl diff` knows nothing of ApplySets (up to at least 1.33):
 * given the plain manifests it would report that label as removed from every live object.
 */
export function labelledManifests(dir: string, id: string): string {
  const files = readdirSync(dir)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .sort();
  if (files.length === 0) throw new Error(`no manifests (*.yaml, *.yml, *.json) in ${dir}`);
  const documents = files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).filter((doc) => doc.contents !== null),
  );
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${dir}: ${document.errors[0]!.message}`);
    if (document.hasIn(['metadata', 'labels', PART_OF_LABEL])) {
      throw new Error(`${dir}: an object already carries ${PART_OF_LABEL}, which kubectl sets itself (and refuses to find set)`);
    }
    document.setIn(['metadata', 'labels', PART_OF_LABEL], id);
  }
  return documents.map((document) => document.toString({ directives: false })).join('---\n');
}

/** What a server-side dry run of `kubectl apply --prune` would delete: its "<kind>/<name> pruned" lines. */
export function prunedObjects(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => /^(\S+\/\S+) pruned\b/.exec(line.trim())?.[1])
    .filter((object): object is string => object !== undefined);
}
