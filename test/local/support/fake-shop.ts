import type { LocalShop } from '../../../tools/local/shop/shop.ts';

/** A stand-in shop for the control API: no nginx, no replicas; one cakes replica in its status. */
export function fakeShop(rollout: LocalShop['rolloutRestart']): LocalShop {
  return {
    url: 'http://127.0.0.1:1',
    port: 1,
    balance: { algorithm: 'round-robin', source: 'test' },
    replicas: [{ section: 'cakes', id: 'cakes-a-1', port: 20_000, pid: 1, ready: true, restarts: 0 }],
    sections: {
      cakes: {
        replicas: 1,
        desiredReplicas: 1,
        cpuUtilization: null,
        hpa: null,
        minReplicas: null,
        maxReplicas: null,
        targetCPUUtilization: null,
        lastScaleTime: null,
        lastScaleEvent: null,
        conditions: null,
      },
    },
    rolloutRestart: rollout,
    stop: async () => undefined,
    stopped: new Promise(() => undefined),
  };
}
