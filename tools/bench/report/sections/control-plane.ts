import type { ControlPlaneResults } from '../../../measure/results.ts';
import { median } from '../../../measure/stats.ts';
import type { ReportSection } from '../report-section.ts';

const spread = (values: readonly number[]) =>
  `${median(values)} s | ${Math.min(...values)} s | ${Math.max(...values)} s | ${values.length}`;

/** Section 7: the kwok provider's control plane, built from source: build, disk, start-up, memory, test time. */
export function controlPlaneSection(plane: ControlPlaneResults): ReportSection {
  const rss = Object.entries(plane.rssMiB).sort(([, a], [, b]) => b - a);
  const total = rss.reduce((sum, [, each]) => sum + each, 0);
  const lines = [
    '## 7. Control plane',
    '',
    `The kwok provider's programs (tools/control-plane/programs.ts), measured ${plane.measuredAt.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '### Build',
    '',
    `A \`npm run control-plane:build\` with nothing to do (stamps and files checked): ${plane.noOpBuildMs} ms (median of 5).`,
    '',
    ...coldBuildLines(plane),
    '| Disk | MiB |',
    '| --- | ---: |',
    `| \`.control-plane/bin\` (the programs) | ${plane.disk.programsMiB} |`,
    `| \`.control-plane/openapi\` (OpenAPI documents of 1.35-1.37) | ${plane.disk.openApiMiB} |`,
    `| \`~/.cache/sweetshop/control-plane\` (programs of every checkout, hard-linked where possible) | ${plane.disk.outerCacheMiB} |`,
    `| Go build cache (\`go env GOCACHE\`, shared with other Go builds) | ${plane.disk.goBuildCacheMiB} |`,
    `| Go module cache (\`go env GOMODCACHE\`, shared) | ${plane.disk.goModuleCacheMiB} |`,
    '',
    '### Start-up and memory',
    '',
    '| Step | Median | Min | Max | Rounds |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| \`cluster:up -- --provider kwok\` (6 nodes, CRDs, platform Gateway, Envoy Gateway, metrics API) | ${spread(plane.upSeconds)} |`,
    `| \`deploy -- --provider kwok --env production --yes\` (diff, apply, rollouts, Gateway programmed) | ${spread(plane.deploySeconds)} |`,
    `| \`cluster:down -- --provider kwok\` | ${spread(plane.downSeconds)} |`,
    '',
    'Resident memory (VmRSS) of each component with production deployed:',
    '',
    '| Component | RSS |',
    '| --- | ---: |',
    ...rss.map(([program, mib]) => `| ${program} | ${mib} MiB |`),
    `| **total** | **${total} MiB** |`,
    '',
    ...testFileLines(plane),
  ];
  return { lines, charts: {} };
}

function coldBuildLines(plane: ControlPlaneResults): string[] {
  if (plane.coldBuild === null) return ['A build from an empty Go build cache was not measured in this run (`--cold-build`).', ''];
  const seconds = plane.coldBuild.modules.reduce((sum, each) => sum + each.seconds, 0);
  return [
    `From an empty Go build cache (modules already downloaded; \`npm run bench -- --only controlPlane --cold-build\`): ${Math.round(seconds / 6) / 10} min in all, ` +
      `leaving ${plane.coldBuild.buildCacheMiB} MiB of Go build cache.`,
    '',
    '| Module | Programs | Seconds |',
    '| --- | --- | ---: |',
    ...plane.coldBuild.modules.map((each) => `| ${each.name} | ${each.programs.join(', ')} | ${each.seconds} |`),
    '',
  ];
}

function testFileLines(plane: ControlPlaneResults): string[] {
  if (plane.testFiles.length === 0) return [];
  return [
    'Each control-plane test file run alone (`node --test <file>`; each starts a cluster of its own):',
    '',
    '| Test file | Seconds | Passed |',
    '| --- | ---: | --- |',
    ...plane.testFiles.map((each) => `| \`${each.file}\` | ${each.seconds} | ${each.passed ? 'yes' : '**no**'} |`),
    '',
  ];
}
