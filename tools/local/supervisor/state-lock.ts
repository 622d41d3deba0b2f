import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { basename, dirname, join } from 'node:path';

const HOLDER_ANSWER_TIMEOUT_MS = 2_000;

/**
 * One local shop per process record (per state directory for the CLI), held from before it stops what a
 * killed run left until it has stopped: two starts at the same moment must not both pass a check of the
 * record and then both write it.
 *
 * The lock is a Unix socket in Linux's abstract namespace (a name, no file), named after the record's
 * real path. bind() either takes the name or fails, atomically, and the kernel frees the name when the
 * process holding it ends, however it ends: kill -9 included. A lock file (O_EXCL) would outlive a killed
 * supervisor, and breaking a stale one races: two starters can both find it stale, and the second then
 * deletes the first one's fresh lock. The holder answers each connection with its pid, for the message.
 * Not inherited: Node opens sockets close-on-exec, so replicas and nginx never hold it.
 */
export class StateLock {
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  /** Takes the lock of `recordFile`, or throws naming the pid of the shop that holds it. */
  static async acquire(recordFile: string): Promise<StateLock> {
    const name = lockName(recordFile);
    const server = createServer((socket) => {
      socket.on('error', () => undefined); // a client that resets is no concern of the shop
      socket.end(`${process.pid}\n`);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(name, resolve);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new Error(`cannot lock ${recordFile}: ${(error as Error).message}`);
      const holder = await askHolder(name);
      throw new Error(
        `a local shop is already running or starting (${holder === undefined ? 'pid unknown' : `pid ${holder}`}, holding ${recordFile}): stop it first or pass another --state-dir`,
      );
    }
    server.unref(); // the shop's own processes keep the supervisor alive, not its lock
    return new StateLock(server);
  }

  /** Frees the lock; resolves once the name is free again. */
  release(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// The directory's real path: the same record reached through a symlink or a relative path is one lock.
function lockName(recordFile: string): string {
  let directory = dirname(recordFile);
  try {
    directory = realpathSync(directory);
  } catch {
    // not there (yet): writing the record will say so
  }
  const digest = createHash('sha256')
    .update(join(directory, basename(recordFile)))
    .digest('hex');
  return `\0sweetshop-local/${digest}`;
}

function askHolder(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(name);
    socket.setTimeout(HOLDER_ANSWER_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('close', () => {
      const pid = Number(answer.trim());
      resolve(Number.isInteger(pid) && pid > 0 ? pid : undefined);
    });
    socket.on('error', () => undefined);
  });
}
