/**
 * The local shop's watchdog, a process of its own (started by process-guard.ts, never by hand). The
 * supervisor tells it over the IPC channel which processes it started ({ watch: { pid, startTime } })
 * and which have ended ({ forget: pid }). When that channel closes, the supervisor is gone, whether it
 * stopped normally (then nothing is left to watch) or was killed with -9, crashed or lost its terminal
 * (then no exit hook of its own ran): every process still watched, and still the same process, is
 * killed with its process group, and the shop's temp directory removed. Nothing here writes output: the supervisor's pipes may be closed.
 * Plain JavaScript, like process-identity.mjs: the TypeScript stripper would add tens of megabytes to a process that only waits.
 */
import { killIfSame } from '../../lib/process/process-identity.mjs';
import { removeShopTempDir } from './shop-temp-dir.mjs';

/** @type {Map<number, { pid: number, startTime: number }>} */
const watched = new Map();
// The shop's temp directory: removed too, once its processes are killed (SIGKILLed processes write nothing more).
/** @type {Set<string>} */
const dirs = new Set();

process.on(
  'message',
  (/** @type {{ watch: { pid: number, startTime: number } } | { forget: number } | { removeDir: string }} */ message) => {
    if ('watch' in message) watched.set(message.watch.pid, message.watch);
    else if ('removeDir' in message) dirs.add(message.removeDir);
    else watched.delete(message.forget);
  },
);

process.on('disconnect', () => {
  for (const identity of watched.values()) killIfSame(identity);
  for (const dir of dirs) {
    try {
      removeShopTempDir(dir);
    } catch {
      // nothing to report to: the supervisor is gone; the next start's record names the directory again
    }
  }
  process.exit(0);
});

process.send?.('ready');
