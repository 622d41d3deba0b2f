import type { BenchProfile } from './profile.ts';

/** What every benchmark receives: its profile and a way to report progress. */
export interface BenchContext {
  profile: BenchProfile;
  progress(message: string): void;
  /** Directory for this run's server logs. */
  logDir: string;
}
