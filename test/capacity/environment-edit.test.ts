import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { editEnvironmentSource, type SectionChanges, unifiedDiff } from '../../tools/capacity/environment-edit.ts';

// Written like config/environments/production.ts (every value a literal in its section).
const LITERALS = `export const production: EnvironmentConfig = {
  name: 'production',
  sections: {
    chocolates: {
      minReplicas: 3,
      maxReplicas: 12,
      requests: { cpu: '250m', memory: '192Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
    },
    candies: {
      minReplicas: 2,
      maxReplicas: 8,
      requests: { cpu: '200m', memory: '160Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '320Mi', ephemeralStorage: '256Mi' },
    },
  },
};
`;

// Written like config/environments/local.ts (shared constants) plus a spread base, one override and a comment.
const SHARED = `import type { EnvironmentConfig } from './types.ts';

// Laptop sizing: see docs.
const requests = { cpu: '50m', memory: "128Mi", ephemeralStorage: '64Mi' };
const limits = { cpu: '500m', memory: '256Mi', ephemeralStorage: '128Mi' };
const base = { minReplicas: 2, maxReplicas: 4, requests, limits } as const;

export const local: EnvironmentConfig = {
  name: 'local',
  sections: {
    chocolates: { ...base, maxReplicas: 6 },
    candies: { ...base },
    cakes: { ...base, requests: { cpu: '75m', memory: '128Mi', ephemeralStorage: '64Mi' } },
  },
};
`;

const everywhere = (changes: SectionChanges, sections = ['chocolates', 'candies', 'cakes']): Record<string, SectionChanges> =>
  Object.fromEntries(sections.map((section) => [section, changes]));

describe('editEnvironmentSource', () => {
  test('literals in each section: only the planned tokens of the named section change, formatting and other keys stay', () => {
    const edited = editEnvironmentSource(LITERALS, 'production.ts', {
      candies: { minReplicas: 4, maxReplicas: 9, requests: { cpu: '700m', memory: '96Mi' }, limits: { cpu: '1', memory: '192Mi' } },
    });
    assert.equal(
      edited,
      LITERALS.replace('minReplicas: 2', 'minReplicas: 4')
        .replace('maxReplicas: 8', 'maxReplicas: 9')
        .replace("requests: { cpu: '200m', memory: '160Mi'", "requests: { cpu: '700m', memory: '96Mi'")
        .replace("limits: { cpu: '1', memory: '320Mi'", "limits: { cpu: '1', memory: '192Mi'"),
    );
  });

  test('a shared constant that every reader plans the same way is edited once, where it is written (quote style kept)', () => {
    const edited = editEnvironmentSource(
      SHARED,
      'local.ts',
      everywhere({ minReplicas: 2, maxReplicas: 6, requests: { memory: '160Mi' }, limits: { cpu: '1', memory: '320Mi' } }),
    );
    assert.equal(
      edited,
      SHARED.replace('memory: "128Mi"', 'memory: "160Mi"')
        .replace("limits = { cpu: '500m', memory: '256Mi'", "limits = { cpu: '1', memory: '320Mi'")
        .replace("cakes: { ...base, requests: { cpu: '75m', memory: '128Mi'", "cakes: { ...base, requests: { cpu: '75m', memory: '160Mi'")
        .replace('minReplicas: 2, maxReplicas: 4,', 'minReplicas: 2, maxReplicas: 6,'),
    );
  });

  test('a value spread in from a shared object is followed there; an override after the spread is edited in place', () => {
    const edited = editEnvironmentSource(SHARED, 'local.ts', everywhere({ requests: { cpu: '100m' } }, ['cakes']));
    assert.equal(edited, SHARED.replace("cakes: { ...base, requests: { cpu: '75m'", "cakes: { ...base, requests: { cpu: '100m'"));
  });

  test('a shared value the plan would set two ways (or leave for one reader) is refused, naming the line and every reader', () => {
    assert.throws(() => editEnvironmentSource(SHARED, 'local.ts', everywhere({ requests: { cpu: '100m' } }, ['chocolates'])), {
      message:
        'local.ts: line 4 (\'50m\') is shared, and the plan gives its readers different values (chocolates.requests.cpu "100m", ' +
        'candies.requests.cpu unchanged): give those sections their own values in local.ts, then re-run',
    });
  });

  test('a value that is not a literal, or a section that is not there, is named', () => {
    const computed = LITERALS.replace("cpu: '200m'", "cpu: ['200m'][0]");
    assert.throws(() => editEnvironmentSource(computed, 'p.ts', { candies: { requests: { cpu: '300m' } }, cakes: { minReplicas: 2 } }), {
      message: 'p.ts: candies.requests.cpu is not written as a literal the tool can find; no section cakes in the sections object',
    });
    assert.throws(() => editEnvironmentSource('export const x = 1;\n', 'x.ts', {}), {
      message: 'x.ts: expected one exported environment object with a `sections` object, found 0',
    });
  });
});

describe('unifiedDiff', () => {
  const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-diff-'));
  after(() => rmSync(workdir, { recursive: true, force: true }));

  test('is empty when nothing changed, else a patch git apply accepts and that reproduces the edit', () => {
    assert.equal(unifiedDiff(SHARED, SHARED, 'local.ts'), '');
    const edited = editEnvironmentSource(SHARED, 'app/local.ts', everywhere({ maxReplicas: 7, limits: { memory: '512Mi' } }));
    const diff = unifiedDiff(SHARED, edited, 'app/local.ts');
    assert.ok(diff.startsWith('--- a/app/local.ts\n+++ b/app/local.ts\n@@ '), diff);
    execFileSync('git', ['init', '--quiet', workdir]);
    execFileSync('mkdir', ['-p', join(workdir, 'app')]);
    writeFileSync(join(workdir, 'app/local.ts'), SHARED);
    execFileSync('git', ['apply', '-'], { cwd: workdir, input: diff });
    assert.equal(execFileSync('cat', [join(workdir, 'app/local.ts')], { encoding: 'utf8' }), edited);
  });
});
