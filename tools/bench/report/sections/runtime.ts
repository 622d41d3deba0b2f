import type { BenchMeta, RuntimeResults, ServiceTarget } from '../../../measure/results.ts';
import { loadCells, loadDescription } from '../format.ts';
import type { ReportSection } from '../report-section.ts';

/** Section 3: why the project runs on Node 24, measured against Node 20 in the same run. */
export function runtimeSection(runtime: RuntimeResults, meta: BenchMeta): ReportSection {
  const { current, previous } = runtime;
  const row = (label: string, target: ServiceTarget, ratio: string): string =>
    `| ${label} | \`${target.command}\` | ${loadCells(target)} | ${ratio} |`;
  return {
    charts: {
      'runtime-throughput.svg': {
        title: `Requests per second by runtime, ${runtime.load.connections} keep-alive connections`,
        unit: 'req/s',
        series: [current.node, previous.node],
        groups: [
          { label: 'replica', values: [current.service.rps, previous.service.rps] },
          { label: 'Express hello', values: [current.expressHello.rps, previous.expressHello.rps] },
        ],
      },
    },
    lines: [
      `## 3. Runtime: Node ${current.node} against ${previous.node}`,
      '',
      `The project moved from Node 20 (end of life since 2026-04-30) to Node 24 LTS. Same run, same load (${loadDescription(runtime.load)}), ` +
        `the four servers interleaved round by round (best of ${current.service.roundsRps.length}); the ${previous.node} binary is the official ` +
        'one from the npm registry (`node-<os>-<arch>`), fetched into `.bench/` for this comparison only. The load generator runs on ' +
        `${meta.node} for all four.`,
      '',
      '| Server | Command | req/s | p50 | p99 | Server CPU | Errors / non-2xx | req/s ratio |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      row(`replica on ${current.node}`, current.service, '1'),
      row(
        `bare Express 5 hello on ${current.node}`,
        current.expressHello,
        `replica ÷ this = **${runtime.ratioServiceVsExpressHelloSameRuntime}**`,
      ),
      row(
        `replica on ${previous.node}`,
        previous.service,
        `replica on ${current.node} ÷ this = **${runtime.ratioServiceCurrentVsPrevious}**`,
      ),
      row(
        `bare Express 5 hello on ${previous.node}`,
        previous.expressHello,
        `replica ÷ this = **${runtime.ratioServiceVsExpressHelloPrevious}**`,
      ),
      '',
      '| Replica RSS | Idle | Peak after the rounds (VmHWM) |',
      '| --- | ---: | ---: |',
      `| ${current.node} | ${current.idleRssMiB} MiB | ${current.peakRssMiB} MiB |`,
      `| ${previous.node} | ${previous.idleRssMiB} MiB | ${previous.peakRssMiB} MiB |`,
      '',
      `Memory moves the other way from speed on the newer runtime when idle: the memory requests in \`config/\` follow the ` +
        'Node 24 figures of section 5.',
      '',
      '![Requests per second by runtime](img/runtime-throughput.svg)',
      '',
    ],
  };
}
