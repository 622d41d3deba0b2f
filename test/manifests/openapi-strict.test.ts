// Every built-in object of dist/ and of every environment passes strict validation against the OpenAPI v3
// documents of each supported Kubernetes minor (tools/control-plane/openapi-specs.ts: 1.35-1.37, as each
// release publishes them). The published files lack the enum values the API server adds to what it
// serves: test/control-plane/openapi.test.ts checks 1.37 again against its real API server's documents.
// Custom resources are crd-schema.test.ts's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { openApiProblem, releaseDir, SUPPORTED_RELEASES } from '../../tools/control-plane/openapi-specs.ts';
import type { Manifest } from '../charts/render.ts';
import { skipWhen } from '../support/system-tool.ts';
import { CrdValidators } from './crd-schema.ts';
import { allManifestSets } from './load-manifests.ts';
import { OpenApiValidators, readSpecFolder } from './openapi-schema.ts';

const crds = new CrdValidators();
const sets = allManifestSets().map(({ label, manifests }) => ({ label, manifests: manifests.filter((each) => !crds.serves(each)) }));

function deploymentOf(manifests: readonly Manifest[]): any {
  return structuredClone(manifests.find((each) => each.kind === 'Deployment')!);
}

describe('strict validation against the OpenAPI v3 documents of each supported minor', {
  skip: skipWhen(openApiProblem(), 'the OpenAPI documents are fetched'),
}, () => {
  for (const release of SUPPORTED_RELEASES) {
    const validators = new OpenApiValidators(readSpecFolder(releaseDir(release)), release.version);

    for (const { label, manifests } of sets) {
      test(`Kubernetes ${release.minor} (${release.version}) accepts every object strictly (${label})`, () => {
        const problems = manifests.flatMap((each) =>
          validators.problems(each).map((line) => `${each.kind}/${each.metadata.name}: ${line}`),
        );
        assert.deepEqual(problems, []);
      });
    }

    test(`Kubernetes ${release.minor}: an unknown field, a wrong type, a missing required field and an unserved kind are each refused`, () => {
      const deployment = deploymentOf(sets[0]!.manifests);
      deployment.spec.replica = 2;
      deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
      delete deployment.spec.template.spec.containers[0].name;
      deployment.metadata.label = { app: 'x' };
      assert.deepEqual(
        validators.problems(deployment).sort(),
        [
          "metadata: unknown field 'label' (the API server would prune it)",
          'spec.template.spec.containers.0.ports.0.containerPort: must be integer',
          "spec.template.spec.containers.0: must have required property 'name'",
          "spec: unknown field 'replica' (the API server would prune it)",
        ].sort(),
      );
      assert.deepEqual(validators.problems({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'old' } }), [
        `Kubernetes ${release.version} serves no Ingress in extensions/v1beta1`,
      ]);
    });
  }

  test('the minors differ where Kubernetes changed: an emptyDir mode (new in 1.37) is refused by 1.35 and 1.36 only', () => {
    const deployment = deploymentOf(sets[0]!.manifests);
    const volume = deployment.spec.template.spec.volumes.find((each: any) => each.emptyDir);
    assert.ok(volume, 'the Deployment has an emptyDir volume (its writable /tmp)');
    volume.emptyDir.mode = 0o1777;
    const verdicts = Object.fromEntries(
      SUPPORTED_RELEASES.map((release) => [
        release.minor,
        new OpenApiValidators(readSpecFolder(releaseDir(release)), release.version).problems(deployment),
      ]),
    );
    const index = deployment.spec.template.spec.volumes.indexOf(volume);
    const refusal = [`spec.template.spec.volumes.${index}.emptyDir: unknown field 'mode' (the API server would prune it)`];
    assert.deepEqual(verdicts, { '1.35': refusal, '1.36': refusal, '1.37': [] });
  });
});
