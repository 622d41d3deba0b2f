/**
 * The local shop's watchdog, a process of its own (started by process-guard.ts, never by hand). The
 * supervisor tells it over the IPC channel which processes it started ({ watch: { pid, startTime } })
 * and which have ended ({ forget: pid }). When that channel closes, the supervisor is gone, whether it
 * stopped normally (then nothing is left to watch) or was killed with -9, crashed or lost its terminal
 * (then no exit hook of its own ran): every process still watched, and still the same process, is
 * killed with its process group. Nothing here writes output: the supervisor's pipes may be closed.
 * Plain JavaScript, like process-identity.mjs: the TypeScript stripper would add ~25 MB to a process that only waits.
 */
import { killIfSame } from './process-identity.mjs';

/** @type {Map<number, { pid: number, startTime: number }>} */
const watched = new Map();

process.on('message', (/** @type {{ watch: { pid: number, startTime: number } } | { forget: number }} */ message) => {
  if ('watch' in message) watched.set(message.watch.pid, message.watch);
  else watched.delete(message.forget);
});

process.on('disconnect', () => {
  for (const identity of watched.values()) killIfSame(identity);
  process.exit(0);
});

process.send?.('ready');
