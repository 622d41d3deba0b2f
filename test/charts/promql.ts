/** Test helpers: read PromQL with Prometheus's own grammar (lezer-promql) and the text exposition format. */
import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's built-in interval variables, with a value that parses wherever a range may stand. */
const GRAFANA_INTERVALS: Readonly<Record<string, string>> = { $__rate_interval: '1m', $__interval: '1m', $__range: '1h' };

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly { readonly label: string; readonly op: string; readonly value: string }[];
}

export interface ParsedQuery {
  /** Syntax errors, as the text around each error node; empty when the query is valid PromQL. */
  readonly errors: readonly string[];
  /** Every vector selector (metric name and label matchers), in order. */
  readonly selectors: readonly Selector[];
  /** Every label name the query reads: in matchers, `by`/`without`, `on`/`ignoring` and label functions' strings aside. */
  readonly labels: readonly string[];
}

/** Substitutes Grafana's interval variables; any other `$variable` is an error (it would reach Prometheus verbatim). */
export function interpolate(expr: string): string {
  const text = expr.replace(/\$__[a-z_]+/g, (name) => GRAFANA_INTERVALS[name] ?? name);
  const leftover = /\$\w+/.exec(text);
  if (leftover) throw new Error(`unknown Grafana variable ${leftover[0]} in ${expr}`);
  return text;
}

export function parsePromQL(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const labels = new Set<string>();
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) errors.push(`at ${ref.from}: '${expr.slice(Math.max(0, ref.from - 20), ref.to + 20)}'`);
      if (ref.name === 'LabelName') labels.add(expr.slice(ref.from, ref.to));
      if (ref.name !== 'VectorSelector') return;
      const identifier = ref.node.getChild('Identifier');
      const matchers = ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      selectors.push({
        metric: identifier ? expr.slice(identifier.from, identifier.to) : '',
        matchers: matchers.map((matcher) => {
          const part = (name: string) => {
            const node = matcher.getChild(name);
            return node ? expr.slice(node.from, node.to) : '';
          };
          return { label: part('LabelName'), op: part('MatchOp'), value: JSON.parse(part('StringLiteral')) as string };
        }),
      });
    },
  });
  return { errors, selectors, labels: [...labels].sort() };
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[pair[1]] = JSON.parse(`"${pair[2]}"`);
      return { name: match[1], labels };
    });
}
