import {
  type ControllerFor,
  controllersFor,
  type LoadBalancingAlgorithm,
  ROUTING_CONTROLLER_NAMES,
  ROUTING_CONTROLLERS,
  supportedAlgorithms,
} from '../../../config/vocabulary.ts';

/** The algorithms the local nginx (OSS) runs: round robin, its default, and least_conn. */
export type LocalAlgorithm = Extract<LoadBalancingAlgorithm, 'round-robin' | 'least-connections'>;

export const LOCAL_ALGORITHMS: readonly LocalAlgorithm[] = ['round-robin', 'least-connections'];

/** An algorithm and where it came from, for the start-up log. */
export interface BalanceChoice {
  readonly algorithm: LocalAlgorithm;
  /** E.g. `Ingress sweetshop nginx.org/lb-method=least_conn`. */
  readonly source: string;
  /** Set when the local nginx cannot do exactly what was asked. */
  readonly note?: string;
}

/** What local mode runs when the manifests' Ingress names no algorithm: nginx's own default. */
export const NGINX_DEFAULT_BALANCE: BalanceChoice = { algorithm: 'round-robin', source: 'nginx default (no Ingress annotation)' };

/** What the local nginx runs for each portable algorithm, and what it says when that is an approximation. */
const ON_LOCAL_NGINX: Readonly<Record<LoadBalancingAlgorithm, { algorithm: LocalAlgorithm; note?: string }>> = {
  'round-robin': { algorithm: 'round-robin' },
  'least-connections': { algorithm: 'least-connections' },
  // least_conn counts a replica's requests in flight (idle keep-alive connections are not counted).
  'least-request': {
    algorithm: 'least-connections',
    note: "nginx least_conn picks the fewest requests in flight among all replicas; Envoy's LeastRequest compares two at random",
  },
  ewma: { algorithm: 'least-connections', note: 'nginx OSS has no EWMA balancer; using least_conn, the closest it has' },
};

// Controllers whose Ingress annotation local mode reads (config/vocabulary.ts, the keys the
// chart writes), the nginx-based ones first (F5's, the default, then the retired ingress-nginx): local
// mode runs nginx, so their annotation wins when several are set.
const NGINX_BASED: readonly ControllerFor<'Ingress'>[] = ['f5-nginx-ingress', 'ingress-nginx'];
const ANNOTATED_CONTROLLERS: readonly ControllerFor<'Ingress'>[] = [
  ...NGINX_BASED,
  ...controllersFor('Ingress').filter((controller) => !NGINX_BASED.includes(controller)),
];

function isLocalAlgorithm(algorithm: LoadBalancingAlgorithm): algorithm is LocalAlgorithm {
  return (LOCAL_ALGORITHMS as readonly string[]).includes(algorithm);
}

/**
 * Reads the load-balancing annotations of one Ingress. An nginx-based controller's wins when several
 * controllers' annotations are present, since local mode runs nginx; undefined when none is set.
 */
export function balanceFromIngressAnnotations(
  annotations: Readonly<Record<string, string>>,
  ingressName: string,
): BalanceChoice | undefined {
  for (const controller of ANNOTATED_CONTROLLERS) {
    const { key } = ROUTING_CONTROLLERS[controller].balancing;
    const value = annotations[key];
    if (value === undefined) continue;
    const known = supportedAlgorithms(controller);
    // A search by value, not a lookup: names every object inherits ("constructor") match nothing.
    const portable = known.find((each) => each.value === value)?.algorithm;
    const source = `Ingress ${ingressName} ${key}=${value}`;
    if (!portable) {
      throw new Error(`${source}: unsupported value (expected ${known.map((each) => each.value).join(' or ')})`);
    }
    return balanceOnLocalNginx(portable, source);
  }
  return undefined;
}

/** What local nginx runs for a portable algorithm read from `source`, with a note when it approximates. */
export function balanceOnLocalNginx(portable: LoadBalancingAlgorithm, source: string): BalanceChoice {
  const { algorithm, note } = ON_LOCAL_NGINX[portable];
  return note ? { algorithm, source, note } : { algorithm, source };
}

/**
 * Parses the --balance flag; accepts the controllers' annotation spellings (vocabulary) and nginx's
 * own `least_conn` too, as a convenience.
 */
export function parseLocalAlgorithm(value: string): LocalAlgorithm {
  const aliases = new Map<string, LocalAlgorithm>(LOCAL_ALGORITHMS.map((algorithm) => [algorithm, algorithm]));
  aliases.set('least_conn', 'least-connections');
  for (const controller of ROUTING_CONTROLLER_NAMES) {
    for (const { algorithm, value: spelling } of supportedAlgorithms(controller)) {
      if (isLocalAlgorithm(algorithm)) aliases.set(spelling, algorithm);
    }
  }
  const algorithm = aliases.get(value);
  if (!algorithm) throw new Error(`--balance ${value}: expected ${LOCAL_ALGORITHMS.join(' or ')}`);
  return algorithm;
}
