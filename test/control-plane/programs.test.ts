// The wrapper modules build what tools/control-plane/programs.ts says, read by Go itself (`go mod edit
// -json`), and the built programs report the versions they were pinned at.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { buildArguments, goEnvironment } from '../../tools/control-plane/build.ts';
import { moduleDir, programPath } from '../../tools/control-plane/build-state.ts';
import { SUPPORTED_RELEASES } from '../../tools/control-plane/openapi-specs.ts';
import { GO_MODULES, type GoModule, KUBERNETES_VERSION } from '../../tools/control-plane/programs.ts';
import { skipUnlessControlPlane } from '../support/control-plane.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';

interface GoModFile {
  readonly Require?: { Path: string; Version: string }[];
  readonly Replace?: { Old: { Path: string }; New: { Path: string; Version?: string } }[];
  readonly Tool?: { Path: string }[];
}

function goMod(file: string): GoModFile {
  return JSON.parse(execFileSync('go', ['mod', 'edit', '-json', file], { encoding: 'utf8', env: goEnvironment() }));
}

const wrapper = (module: GoModule) => goMod(join(moduleDir(module), 'go.mod'));
const STAGING_VERSION = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');

describe('the wrapper modules pin what programs.ts says', {
  skip: skipUnlessInstalled('go', 'apt-get install golang (1.26 or later)'),
}, () => {
  for (const module of GO_MODULES) {
    test(`${module.name}: requires ${module.upstream.path} ${module.upstream.version} and names each program as a tool`, () => {
      const mod = wrapper(module);
      const required = mod.Require?.find((each) => each.Path === module.upstream.path);
      assert.equal(required?.Version, module.upstream.version);
      assert.deepEqual(mod.Tool?.map((each) => each.Path).sort(), Object.values(module.programs).sort());
    });
  }

  test('kubernetes: every staging module k8s.io/kubernetes replaces is replaced here by its release, and nothing else', () => {
    const kubernetes = GO_MODULES.find((module) => module.upstream.path === 'k8s.io/kubernetes')!;
    const upstreamDir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], {
      cwd: moduleDir(kubernetes),
      encoding: 'utf8',
      env: goEnvironment(),
    }).trim();
    const staging = (goMod(join(upstreamDir, 'go.mod')).Replace ?? []).map((each) => each.Old.Path).sort();
    assert.ok(staging.length >= 30, `k8s.io/kubernetes replaces ${staging.length} staging modules`);
    const replaces = wrapper(kubernetes).Replace ?? [];
    assert.deepEqual(replaces.map((each) => each.Old.Path).sort(), staging);
    for (const each of replaces) assert.deepEqual(each.New, { Path: each.Old.Path, Version: STAGING_VERSION });
  });

  test("the OpenAPI documents of the control plane's own minor come from the very k8s.io/kubernetes zip it is built from", () => {
    const current = SUPPORTED_RELEASES.find((release) => release.version === KUBERNETES_VERSION);
    assert.ok(current, `openapi-specs.ts fetches ${KUBERNETES_VERSION}'s documents`);
    const kubernetes = GO_MODULES.find((module) => module.upstream.path === 'k8s.io/kubernetes')!;
    const sum = readFileSync(join(moduleDir(kubernetes), 'go.sum'), 'utf8');
    assert.match(sum, new RegExp(`^k8s\\.io/kubernetes ${KUBERNETES_VERSION} ${current.sum.replace(/[+/=]/g, '\\$&')}$`, 'm'));
    // The three maintained minors end at the control plane's own.
    const minor = Number(KUBERNETES_VERSION.split('.')[1]);
    assert.deepEqual(
      SUPPORTED_RELEASES.map((release) => release.minor),
      [`1.${minor - 2}`, `1.${minor - 1}`, `1.${minor}`],
    );
  });

  test('go build is given the tags and the version stamp, from the module folder', () => {
    const kubernetes = GO_MODULES[0]!;
    const args = buildArguments(kubernetes, 'kube-apiserver', '/out/kube-apiserver');
    assert.deepEqual(args.slice(0, 3), ['build', '-v', '-trimpath']);
    assert.ok(args.includes('-tags') && args[args.indexOf('-tags') + 1] === 'selinux,notest,grpcnotrace', args.join(' '));
    assert.match(args.join(' '), /-X k8s\.io\/component-base\/version\.gitVersion=v1\.37\.2/);
    assert.equal(args.at(-1), 'k8s.io/kubernetes/cmd/kube-apiserver');
  });
});

/** How each program prints its version (the output must carry its module's pinned version). */
const VERSION_ARGS: Readonly<Record<string, readonly string[]>> = {
  'kube-apiserver': ['--version'],
  'kube-controller-manager': ['--version'],
  'kube-scheduler': ['--version'],
  kubectl: ['version', '--client'],
  etcd: ['--version'],
  kwok: ['--version'],
  kwokctl: ['--version'],
  'metrics-server': ['--version'],
  'envoy-gateway': ['version'],
};

describe('the built programs report their pinned versions', { skip: skipUnlessControlPlane() }, () => {
  test('every program of programs.ts has a version check', () => {
    assert.deepEqual(Object.keys(VERSION_ARGS).sort(), GO_MODULES.flatMap((module) => Object.keys(module.programs)).sort());
  });

  for (const module of GO_MODULES) {
    for (const program of Object.keys(module.programs)) {
      test(`${program} prints ${module.upstream.version}`, () => {
        const result = spawnSync(programPath(program), VERSION_ARGS[program] ?? [], { encoding: 'utf8' });
        assert.equal(result.status, 0, result.stderr);
        // etcd prints its version without the tag's v.
        const version = module.upstream.version.replace(/^v/, '').replaceAll('.', '\\.');
        assert.match(result.stdout, new RegExp(`(^|[ v])${version}( |$)`, 'm'));
      });
    }
  }
});
