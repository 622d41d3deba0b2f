import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { editSection, lineDiff } from '../../tools/capacity/environment-edit.ts';

// Written like app/environments/production.ts; fixed here so the test does not follow that file's edits.
const SOURCE = `export const production = {
  sections: {
    chocolates: {
      minReplicas: 3,
      maxReplicas: 12,
      cpuTargetPercent: 65,
      requests: { cpu: '250m', memory: '192Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '384Mi', ephemeralStorage: '256Mi' },
    },
    candies: {
      minReplicas: 2,
      maxReplicas: 8,
      cpuTargetPercent: 65,
      requests: { cpu: '200m', memory: '160Mi', ephemeralStorage: '128Mi' },
      limits: { cpu: '1', memory: '320Mi', ephemeralStorage: '256Mi' },
    },
  },
};
`;

describe('editSection', () => {
  test('when every field is a literal, then only the named section changes and other keys stay', () => {
    const edited = editSection(
      SOURCE,
      'candies',
      { minReplicas: 4, maxReplicas: 9, requests: { cpu: '700m', memory: '96Mi' }, limits: { cpu: '1', memory: '192Mi' } },
      'production.ts',
    );
    assert.equal(
      edited,
      SOURCE.replace('minReplicas: 2', 'minReplicas: 4')
        .replace('maxReplicas: 8', 'maxReplicas: 9')
        .replace("requests: { cpu: '200m', memory: '160Mi'", "requests: { cpu: '700m', memory: '96Mi'")
        .replace("limits: { cpu: '1', memory: '320Mi'", "limits: { cpu: '1', memory: '192Mi'"),
    );
    assert.ok(edited.includes("requests: { cpu: '250m', memory: '192Mi'"), 'chocolates untouched');
  });

  test('when the section is missing or a value is not a literal, then the error says to apply by hand', () => {
    assert.throws(() => editSection(SOURCE, 'cakes', { minReplicas: 2 }, 'production.ts'), {
      message: 'production.ts: no `cakes: {` block found',
    });
    const shared =
      "const requests = { cpu: '50m', memory: '96Mi' };\nexport const local = {\n  cakes: {\n    minReplicas: 2, requests,\n  },\n};\n";
    assert.throws(() => editSection(shared, 'cakes', { requests: { cpu: '100m' } }, 'local.ts'), {
      message: 'local.ts: cakes.requests is not an object literal in the cakes block; apply the change by hand',
    });
  });
});

describe('lineDiff', () => {
  test('when lines change, then a unified diff that git apply accepts (hunk header, context, -/+ runs)', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const after = ['a', 'b', 'C', 'D', 'e', 'f', 'g', 'h', 'i', 'J'].join('\n');
    assert.equal(
      lineDiff(before, after, 'x.ts'),
      [
        '--- a/x.ts',
        '+++ b/x.ts',
        '@@ -1,6 +1,6 @@',
        ' a',
        ' b',
        '-c',
        '-d',
        '+C',
        '+D',
        ' e',
        ' f',
        '@@ -8,3 +8,3 @@',
        ' h',
        ' i',
        '-j',
        '+J',
        '',
      ].join('\n'),
    );
  });

  test('when nothing changed, then the diff is empty', () => {
    assert.equal(lineDiff(SOURCE, SOURCE, 'x.ts'), '');
  });
});
