import { LOAD_BALANCE_ANNOTATION } from '../../charts/load-balancing.ts';

/** The two algorithms local mode offers (nginx OSS: round robin is its default, least_conn the other). */
export type BalanceAlgorithm = 'round-robin' | 'least-connections';

export const BALANCE_ALGORITHMS: readonly BalanceAlgorithm[] = ['round-robin', 'least-connections'];

/** An algorithm and where it came from, for the start-up log. */
export interface BalanceChoice {
  readonly algorithm: BalanceAlgorithm;
  /** E.g. `Ingress sweetshop nginx.ingress.kubernetes.io/load-balance=ewma`. */
  readonly source: string;
  /** Set when the local nginx cannot do exactly what was asked. */
  readonly note?: string;
}

// The keys the chart writes (charts/load-balancing.ts), so the two cannot drift apart.
const INGRESS_NGINX = LOAD_BALANCE_ANNOTATION['ingress-nginx'];
const HAPROXY = LOAD_BALANCE_ANNOTATION['haproxy-ingress'];

// The annotation values contracts.md lists, per controller.
const ANNOTATION_VALUES: Record<string, Record<string, BalanceAlgorithm>> = {
  [INGRESS_NGINX]: { round_robin: 'round-robin', ewma: 'least-connections' },
  [HAPROXY]: { roundrobin: 'round-robin', leastconn: 'least-connections' },
};

/**
 * Reads the load-balancing annotations of one Ingress. ingress-nginx wins when both controllers'
 * annotations are present, since local mode runs nginx; undefined when neither is set.
 */
export function balanceFromIngressAnnotations(
  annotations: Readonly<Record<string, string>>,
  ingressName: string,
): BalanceChoice | undefined {
  for (const key of [INGRESS_NGINX, HAPROXY]) {
    const value = annotations[key];
    if (value === undefined) continue;
    const known = ANNOTATION_VALUES[key]!;
    // hasOwn: a plain lookup would accept names every object inherits ("constructor", "toString").
    const algorithm = Object.hasOwn(known, value) ? known[value] : undefined;
    const source = `Ingress ${ingressName} ${key}=${value}`;
    if (!algorithm) {
      throw new Error(`${source}: unsupported value (expected ${Object.keys(known).join(' or ')})`);
    }
    const note = value === 'ewma' ? 'nginx OSS has no EWMA balancer; using least_conn, the closest it has' : undefined;
    return note ? { algorithm, source, note } : { algorithm, source };
  }
  return undefined;
}

/** Parses the --balance flag; accepts the annotation spellings too, as a convenience. */
export function parseBalanceAlgorithm(value: string): BalanceAlgorithm {
  const aliases: Record<string, BalanceAlgorithm> = {
    'round-robin': 'round-robin',
    round_robin: 'round-robin',
    roundrobin: 'round-robin',
    'least-connections': 'least-connections',
    least_conn: 'least-connections',
    leastconn: 'least-connections',
  };
  const algorithm = Object.hasOwn(aliases, value) ? aliases[value] : undefined;
  if (!algorithm) throw new Error(`--balance ${value}: expected ${BALANCE_ALGORITHMS.join(' or ')}`);
  return algorithm;
}
