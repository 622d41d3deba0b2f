import { LOAD_GENERATOR } from '../measure/load.ts';
import type { LoadSettings } from '../measure/results.ts';

/** How long and how hard each benchmark runs: `--quick` must finish everything in under 3 minutes. */
export interface BenchProfile {
  mode: 'quick' | 'full';
  /** Runs per synth variant (median reported). */
  synthRuns: number;
  /** One unmeasured synth round first (disk caches, npm's own start-up caches). */
  synthWarmup: boolean;
  /** Connections for the side-by-side service and balancing runs. */
  connections: number;
  /** Seconds per measured load run. */
  durationSec: number;
  /** Interleaved rounds of the four service targets (the best round per target is reported). */
  serviceRounds: number;
  /** Interleaved rounds of the scaling tables (medians reported): ratios of medians need more rounds than a best-of. */
  scaleOutRounds: number;
  /** Seconds of unmeasured warm-up load before each measured run (JIT, connection pools). */
  warmupSec: number;
  /** Connection counts for the service's latency curve (capacity planning). */
  curveConnections: number[];
  curveDurationSec: number;
}

export const PROFILES: Record<'quick' | 'full', BenchProfile> = {
  quick: {
    mode: 'quick',
    synthRuns: 5,
    synthWarmup: false,
    connections: 50,
    durationSec: 3,
    serviceRounds: 1,
    scaleOutRounds: 1,
    warmupSec: 1,
    curveConnections: [1, 4, 16, 50],
    curveDurationSec: 2,
  },
  full: {
    mode: 'full',
    synthRuns: 7,
    synthWarmup: true,
    connections: 50,
    durationSec: 10,
    serviceRounds: 3,
    scaleOutRounds: 5,
    warmupSec: 2,
    curveConnections: [1, 2, 4, 8, 16, 32, 50, 100],
    curveDurationSec: 5,
  },
};

/** The load every measured run of a profile uses, as the results record it. */
export function loadSettings(profile: BenchProfile, route = ''): LoadSettings {
  return {
    connections: profile.connections,
    durationSec: profile.durationSec,
    pipelining: 1,
    keepAlive: true,
    generator: `${LOAD_GENERATOR}${route}`,
  };
}
