// Case 9 of the control-plane issue: the OpenAPI v3 documents the real Kubernetes 1.37.2 API server serves
// are the schema of 1.37's strict validation. They are the release's api/openapi-spec/v3 (which
// test/manifests/openapi-strict.test.ts reads offline, for 1.35 and 1.36 too) plus the enum values the
// published files lack; validators built from the served documents accept every environment; and the broken
// objects they refuse, the API server refuses too (strict field validation, `--dry-run=server`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { environments } from '../../config/index.ts';
import { releaseDir, SUPPORTED_RELEASES } from '../../tools/control-plane/openapi-specs.ts';
import { KUBERNETES_VERSION } from '../../tools/control-plane/programs.ts';
import { type Manifest, render } from '../charts/render.ts';
import { CrdValidators } from '../manifests/crd-schema.ts';
import { groupVersionPath, type OpenApiDocument, OpenApiValidators, readSpecFolder } from '../manifests/openapi-schema.ts';
import { skipUnlessControlPlane, startTestCluster, type TestCluster } from '../support/control-plane.ts';

const crds = new CrdValidators();
const builtIn = Object.values(environments).map((environment) => ({
  environment,
  manifests: render(environment).filter((each) => !crds.serves(each)),
}));
const groupVersions = [...new Set(builtIn.flatMap(({ manifests }) => manifests.map((each) => groupVersionPath(each.apiVersion))))].sort();

describe('the API server serves the OpenAPI documents the strict tests read (kwok provider)', { skip: skipUnlessControlPlane() }, () => {
  let cluster: TestCluster;
  let served: Map<string, OpenApiDocument>;

  before(async () => {
    cluster = await startTestCluster({ environments: [], envoyGateway: false });
    const index = JSON.parse((await cluster.kubectl(['get', '--raw', '/openapi/v3'])).stdout) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    served = new Map();
    for (const path of groupVersions) {
      const entry = index.paths[path];
      assert.ok(entry, `the API server lists ${path} under /openapi/v3`);
      const result = await cluster.kubectl(['get', '--raw', entry.serverRelativeURL]);
      assert.equal(result.status, 0, result.stderr);
      served.set(path, JSON.parse(result.stdout));
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  /** A schema without the enum values the API server adds (both the `enum` lists and their description lines). */
  function withoutEnums(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(withoutEnums);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node).filter(([key]) => key !== 'enum');
    return Object.fromEntries(
      entries.map(([key, value]) => [
        key,
        key === 'description' && typeof value === 'string' ? value.replace(/\n\nPossible enum values:\n[\s\S]*$/, '') : withoutEnums(value),
      ]),
    );
  }

  test(`the served schemas are k8s.io/kubernetes@${KUBERNETES_VERSION}'s api/openapi-spec/v3 plus enum values, so 1.37 is checked against the served ones`, () => {
    const release = SUPPORTED_RELEASES.find((each) => each.version === KUBERNETES_VERSION)!;
    const published = readSpecFolder(releaseDir(release));
    for (const path of groupVersions) {
      const servedSchemas = served.get(path)!.components.schemas;
      const publishedSchemas = published.get(path)!.components.schemas;
      assert.deepEqual(Object.keys(servedSchemas).sort(), Object.keys(publishedSchemas).sort(), `${path}: the schema names`);
      for (const name of Object.keys(servedSchemas)) {
        assert.deepEqual(withoutEnums(servedSchemas[name]), publishedSchemas[name], `${path}: ${name}`);
      }
    }
    // What the published files lack: e.g. a container port's protocol is one of three values only when served.
    const protocol = (schemas: Readonly<Record<string, any>>) => schemas['io.k8s.api.core.v1.ContainerPort'].properties.protocol.enum;
    assert.deepEqual(protocol(served.get('api/v1')!.components.schemas), ['SCTP', 'TCP', 'UDP']);
    assert.equal(protocol(published.get('api/v1')!.components.schemas), undefined);
  });

  test('validators built from the served documents accept every environment strictly', () => {
    const validators = new OpenApiValidators(served, `${KUBERNETES_VERSION} (served)`);
    for (const { environment, manifests } of builtIn) {
      const problems = manifests.flatMap((each) => validators.problems(each).map((line) => `${each.kind}/${each.metadata.name}: ${line}`));
      assert.deepEqual(problems, [], environment.name);
    }
  });

  /** `kubectl create --dry-run=server --validate=strict`: what the API server says of one object. */
  async function serverVerdict(object: Manifest) {
    return cluster.kubectl(['create', '--dry-run=server', '--validate=strict', '--filename', '-'], JSON.stringify(object));
  }

  test('what the served schema refuses, the API server refuses; what it accepts, the server accepts', async () => {
    const validators = new OpenApiValidators(served, `${KUBERNETES_VERSION} (served)`);
    const deployment = structuredClone(builtIn[0]!.manifests.find((each) => each.kind === 'Deployment')!) as any;
    deployment.metadata.namespace = 'default';
    const accepted = await serverVerdict(deployment);
    assert.equal(accepted.status, 0, accepted.stderr);

    const unknownField = structuredClone(deployment);
    unknownField.spec.replica = 2;
    assert.deepEqual(validators.problems(unknownField), ["spec: unknown field 'replica' (the API server would prune it)"]);
    const unknownRefused = await serverVerdict(unknownField);
    assert.notEqual(unknownRefused.status, 0);
    assert.match(unknownRefused.stderr, /unknown field "spec\.replica"/);

    const wrongType = structuredClone(deployment);
    wrongType.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    assert.deepEqual(validators.problems(wrongType), ['spec.template.spec.containers.0.ports.0.containerPort: must be integer']);
    const typeRefused = await serverVerdict(wrongType);
    assert.notEqual(typeRefused.status, 0);
    assert.match(typeRefused.stderr, /containerPort of type int32/);

    // An enum only the served document states: the published one would let this through, the server does not.
    const badProtocol = structuredClone(deployment);
    badProtocol.spec.template.spec.containers[0].ports[0].protocol = 'tcp';
    assert.deepEqual(validators.problems(badProtocol), [
      'spec.template.spec.containers.0.ports.0.protocol: must be equal to one of the allowed values (SCTP, TCP, UDP)',
    ]);
    const release = SUPPORTED_RELEASES.find((each) => each.version === KUBERNETES_VERSION)!;
    assert.deepEqual(new OpenApiValidators(readSpecFolder(releaseDir(release)), KUBERNETES_VERSION).problems(badProtocol), []);
    const protocolRefused = await serverVerdict(badProtocol);
    assert.notEqual(protocolRefused.status, 0);
    assert.match(protocolRefused.stderr, /Unsupported value: "tcp"/);
  });
});
