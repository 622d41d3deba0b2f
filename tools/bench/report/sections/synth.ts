import type { SynthResults } from '../../../measure/results.ts';
import { ms, shortLabel, timingRow } from '../format.ts';
import type { ChartSet, ReportSection } from '../report-section.ts';

/** Section 1: the synth timings against the stock cdk8s template layout. */
export function synthSection(synth: SynthResults): ReportSection {
  const charts: ChartSet = {};
  const lines: string[] = [];
  charts['synth-time.svg'] = {
    title: `Synth wall time, median of ${synth.runs}`,
    unit: 'ms',
    series: ['median'],
    groups: [synth.stock, synth.projectCli, synth.npmSynth].map((t) => ({ label: shortLabel(t), values: [t.medianMs] })),
  };
  lines.push(
    '## 1. Synth',
    '',
    `Same chart (the project's \`charts/\` and \`config/\`, environment \`${synth.env.SWEETSHOP_ENV}\`), rendered three ways; ` +
      `${synth.runs} measured runs each${synth.warmupRound ? ' after one unmeasured warm-up round' : ''}, interleaved; output to \`.bench/\`, env ${Object.entries(
        synth.env,
      )
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(', ')}. ` +
      'All three outputs are checked to be byte-identical.' +
      (synth.projectNodeOptions === undefined
        ? ''
        : " The project rows run with the `NODE_OPTIONS` npm sets from the project's `.npmrc` for `npx` and npm scripts " +
          "(Node's compile cache on, the CLI's upgrade check off), as `npx cdk8s synth` does; the stock row without it."),
    '',
    '| Variant | Command | Median | Min | Max | Speed-up vs stock |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    timingRow(synth.stock, 1),
    timingRow(synth.projectCli, synth.ratioCliVsStock),
    timingRow(synth.npmSynth, synth.ratioNpmSynthVsStock),
    ...[synth.cliStartup, synth.cliStartupWithoutPreload]
      .filter((timing) => timing !== undefined)
      .map((timing) => timingRow(timing, Math.round((synth.stock.medianMs / timing.medianMs) * 1000) / 1000)),
    '',
    ...cliStartupNote(synth),
    `The stock layout is \`cdk8s init typescript-app\` recreated from the template shipped in cdk8s-cli (\`cdk8s init\` needs GitHub): ` +
      `\`cdk8s.yaml\` with \`app: ${synth.stockLayout.app}\`, the template's tsconfig (CommonJS, type-checked by ts-node; \`lib\` raised to es2022 for the chart's \`Object.hasOwn\`), ` +
      `the project's chart sources copied next to \`main.ts\` with \`.ts\` import suffixes dropped. Installed from the registry: ` +
      `${Object.entries(synth.stockLayout.packages)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}.`,
    '',
    '![Synth wall time](img/synth-time.svg)',
    '',
  );
  return { lines, charts };
}

/** Where `cdk8s synth`'s time goes: the CLI's own start-up, measured in the same rounds, and the rest. */
function cliStartupNote(synth: SynthResults): string[] {
  const startup = synth.cliStartup;
  if (!startup) return [];
  const share = (value: number) => Math.round((value / synth.stock.medianMs) * 1000) / 1000;
  const app = synth.projectCli.medianMs - startup.medianMs;
  return [
    `The CLI start-up row is the project's cdk8s CLI doing nothing but start: ${ms(startup.medianMs)}, ${share(startup.medianMs)}× the stock ` +
      `template's whole synth, before any project code runs (it loads every command's dependencies, jsii-pacmak for \`init\` ` +
      `included). The project's own share of \`cdk8s synth\` is the rest, about ${ms(app)} (${share(app)}× stock): running the app ` +
      'on Node 24 with its compile cache. `npm run synth` skips the CLI.',
    '',
    ...(synth.cliStartupWithoutPreload
      ? [
          `Without the \`.npmrc\` preload (no compile cache: a global \`cdk8s\`, or \`./node_modules/.bin/cdk8s\` typed outside npm) the ` +
            `CLI alone takes ${ms(synth.cliStartupWithoutPreload.medianMs)}, ` +
            `${Math.round((synth.cliStartupWithoutPreload.medianMs / startup.medianMs) * 100) / 100}× its start-up with it.`,
          '',
        ]
      : []),
  ];
}
