import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dropTsImportExtensions } from '../../tools/bench/stock-layout.ts';

test('relative .ts import suffixes are dropped for the CommonJS stock layout; package imports stay', () => {
  const source = [
    "import { Chart } from 'cdk8s';",
    "import type { EnvironmentConfig } from '../app/environments/types.ts';",
    'import { hardenDeployment } from "./restricted-pod-hardening.ts";',
    "export { SECTION_NAMES } from './types.ts';",
    "import data from './data.tsx';",
  ].join('\n');
  assert.equal(
    dropTsImportExtensions(source),
    [
      "import { Chart } from 'cdk8s';",
      "import type { EnvironmentConfig } from '../app/environments/types';",
      'import { hardenDeployment } from "./restricted-pod-hardening";',
      "export { SECTION_NAMES } from './types';",
      "import data from './data.tsx';",
    ].join('\n'),
  );
});
