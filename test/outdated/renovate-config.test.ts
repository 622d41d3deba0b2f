// renovate.json covers the pins npm run outdated reports. Its regex managers are checked here against the
// files they read (JavaScript runs Renovate's named-group syntax as is); Renovate's own validator runs when
// its npm package is in npm's cache (about 340 MB, so not a dependency): see docs/pins.md to fetch it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';

import { GO_MODULES } from '../../tools/control-plane/programs.ts';
import { REPO_ROOT } from '../../tools/lib/repo-root.ts';
import { manifestPins } from '../../tools/outdated/controller-pins.ts';
import { crdPins } from '../../tools/outdated/crd-pins.ts';
import { kindPins } from '../../tools/outdated/image-pins.ts';
import { skipWhen } from '../support/system-tool.ts';

/** The Renovate release the validator test runs (`npx --package renovate@<this>`). */
const RENOVATE_VERSION = '44.121.2';

interface CustomManager {
  readonly managerFilePatterns: readonly string[];
  readonly matchStrings: readonly string[];
  readonly depNameTemplate?: string;
}

const config = JSON.parse(readFileSync(join(REPO_ROOT, 'renovate.json'), 'utf8')) as { customManagers: CustomManager[] };
const files = spawnSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

/** What the regex managers extract from the repository: `depName currentValue` per match. */
function extracted(managers: readonly CustomManager[] = config.customManagers): string[] {
  const deps: string[] = [];
  for (const manager of managers) {
    const patterns = manager.managerFilePatterns.map((pattern) => new RegExp(pattern.slice(1, -1)));
    for (const file of files.filter((path) => patterns.some((pattern) => pattern.test(path)))) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      for (const source of manager.matchStrings) {
        for (const match of text.matchAll(new RegExp(source, 'g'))) {
          const depName = match.groups?.depName || (manager.depNameTemplate?.match(/\{\{else\}\}([^{]+)\{\{/)?.[1] ?? '');
          deps.push(`${depName} ${match.groups?.currentValue ?? ''}`);
        }
      }
    }
  }
  return deps;
}

describe('renovate.json', () => {
  const deps = extracted();
  const nodeImage = `kindest/node ${kindPins(REPO_ROOT)[0]?.current.split('@')[0]}`;

  test('its regex managers find the kind node image, the image base, every controller, the chart, every CRD set and every control-plane module', () => {
    assert.ok(deps.includes(nodeImage), deps.join('\n'));
    assert.ok(
      deps.some((dep) => /^docker\.io\/library\/node 24\.\d+\.\d+-trixie-slim$/.test(dep)),
      deps.join('\n'),
    );
    assert.ok(
      deps.some((dep) => dep.startsWith('kube-prometheus-stack ')),
      deps.join('\n'),
    );
    for (const pin of manifestPins(REPO_ROOT))
      assert.ok(deps.includes(`${pin.name} ${pin.current}`), `${pin.name} ${pin.current} (${pin.file})`);
    for (const pin of crdPins(REPO_ROOT)) assert.ok(deps.includes(`${pin.name.replace(/ CRDs$/, '')} ${pin.current}`), pin.file);
    for (const module of GO_MODULES) assert.ok(deps.includes(`${module.upstream.path} ${module.upstream.version}`), module.name);
  });

  test('the check means something: a manager whose regex no longer matches its file finds nothing', () => {
    const kind = config.customManagers.filter((manager) => manager.managerFilePatterns.some((pattern) => pattern.includes('kind-config')));
    assert.deepEqual(extracted(kind), [nodeImage]);
    const misspelt = kind.map((manager) => ({
      ...manager,
      matchStrings: manager.matchStrings.map((source) => source.replace('image: ', 'images: ')),
    }));
    assert.deepEqual(extracted(misspelt), []);
  });

  const validator = (cwd: string) =>
    spawnSync(
      'npx',
      [
        '--yes',
        '--offline',
        '--package',
        `renovate@${RENOVATE_VERSION}`,
        'renovate-config-validator',
        '--strict',
        '--no-global',
        'renovate.json',
      ],
      {
        cwd,
        encoding: 'utf8',
        // npx runs the validator on the first node on PATH: the project's Node 24 (Renovate needs >= 24.11).
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
        timeout: 120_000,
      },
    );
  const probeDir = mkdtempSync(join(tmpdir(), 'sweetshop-renovate-probe-'));
  const probe = validator(probeDir);
  rmSync(probeDir, { recursive: true, force: true });
  const cached = !/ENOTCACHED|notarget|could not determine executable/i.test(`${probe.stdout}${probe.stderr}`) && probe.status !== null;
  // .ci/run fetches it (the version is read from RENOVATE_VERSION above), so under CI=true a miss fails.
  const skip = skipWhen(
    cached
      ? undefined
      : `renovate@${RENOVATE_VERSION} is not in npm's cache: run \`npx --yes --package renovate@${RENOVATE_VERSION} renovate-config-validator --help\` once to run these tests`,
    `renovate@${RENOVATE_VERSION} is in npm's cache`,
  );

  test("Renovate's own validator accepts it (strict)", { skip }, () => {
    const result = validator(REPO_ROOT);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /Config validated successfully/);
  });

  test('the validator really checks: a misspelt option and a manager without matchStrings are refused', { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweetshop-renovate-broken-'));
    try {
      const broken = {
        packageRules: [{ matchPackageNames: ['express'], allowedVersion: '<6' }],
        customManagers: [{ customType: 'regex', managerFilePatterns: ['/^x$/'], datasourceTemplate: 'docker' }],
      };
      writeFileSync(join(dir, 'renovate.json'), JSON.stringify(broken));
      const result = validator(dir);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /Invalid configuration option: packageRules\[0\]\.allowedVersion/);
      assert.match(result.stdout, /matchStrings/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
