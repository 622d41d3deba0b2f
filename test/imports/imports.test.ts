import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { makeErasable } from '../../tools/imports/erasable.ts';
import { generateImports } from '../../tools/imports/generate.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const IMPORTS = join(REPO_ROOT, 'imports');

describe('makeErasable (cdk8s import output for Node 24 type stripping)', () => {
  test('an enum becomes a const object and a type of its values', () => {
    const source = 'export enum Kind {\n  /** a */\n  A = "a",\n  B_C = "b-c",\n}\n';
    assert.equal(
      makeErasable(source, 'x.ts'),
      'export const Kind = {\n  /** a */\n  A: "a",\n  B_C: "b-c",\n} as const;\nexport type Kind = (typeof Kind)[keyof typeof Kind];\n',
    );
  });

  test('a constructor parameter property becomes a field and an assignment', () => {
    const source =
      'export class Port {\n  public static of(v: number) { return new Port(v); }\n  private constructor(public readonly value: number | string) {\n  }\n}\n';
    assert.equal(
      makeErasable(source, 'x.ts'),
      'export class Port {\n  public static of(v: number) { return new Port(v); }\n  public readonly value: number | string;\n' +
        '  private constructor(value: number | string) {\n    this.value = value;\n  }\n}\n',
    );
  });

  test('imported names used only as types get `type`; values stay', () => {
    const source =
      "import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';\nimport { Construct } from 'constructs';\n" +
      'export const GVK: GroupVersionKind = { apiVersion: "v1", kind: "X" };\n' +
      'export class X extends ApiObject { constructor(s: Construct, id: string, m: ApiObjectMetadata) { super(s, id, { ...GVK, metadata: m }); } }\n';
    const [first, second] = makeErasable(source, 'x.ts').split('\n');
    assert.equal(first, "import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';");
    assert.equal(second, "import { type Construct } from 'constructs';");
  });
});

describe('imports/ (committed, as cdk8s projects do)', () => {
  const fresh = mkdtempSync(join(tmpdir(), 'sweetshop-imports-'));
  after(() => rmSync(fresh, { recursive: true, force: true }));

  test('is exactly what `npm run import` generates from cdk8s.yaml and crds/ (regenerate and commit when they change)', () => {
    const written = generateImports(fresh);
    assert.deepEqual(readdirSync(IMPORTS).sort(), written);
    for (const file of written) assert.equal(readFileSync(join(IMPORTS, file), 'utf8'), readFileSync(join(fresh, file), 'utf8'), file);
  });

  test('every module loads in Node 24 as it is, and exports its custom resource construct', async () => {
    for (const file of readdirSync(IMPORTS)) {
      const module = (await import(pathToFileURL(join(IMPORTS, file)).href)) as Record<string, { GVK?: { kind: string } }>;
      const kinds = Object.values(module).flatMap((value) => (value?.GVK ? [value.GVK.kind] : []));
      assert.ok(kinds.length > 0, `${file} exports no construct with a GVK`);
    }
  });
});
