/**
 * A supervisor stand-in for the control-socket fuzz test: the real control server in a process of its
 * own, serving a stand-in shop (fake-shop.ts), so a request that crashed it ends this process, not the test.
 * Usage: node control-server.ts <state dir>; prints "listening" once the socket answers.
 */
import { startControlServer } from '../../../tools/local/cli/control.ts';
import { fakeShop } from './fake-shop.ts';

const stateDir = process.argv[2];
if (!stateDir) throw new Error('usage: control-server.ts <state dir>');
await startControlServer(
  fakeShop(async (_section, onStep) => {
    onStep?.({ section: 'cakes', from: 'cakes-a-1', to: 'cakes-b-1', port: 20_001 });
    return [];
  }),
  stateDir,
);
console.log('listening');
