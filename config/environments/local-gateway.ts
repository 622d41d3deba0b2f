import type { EnvironmentConfig } from '../types.ts';
import { local } from './local.ts';

// The local shop (same namespace, images, sizes and floor) on a kind/minikube cluster with Envoy Gateway
// instead of an Ingress controller: an HTTPRoute on a Gateway of class 'eg' (which `npm run cluster:up -- --env
// local-gateway` creates), balanced the way production is, so least-request can be tried before it ships.
const { name: _local, ingress: _ingress, ...shop } = local;

export const localGateway: EnvironmentConfig = {
  ...shop,
  name: 'local-gateway',
  gateway: {
    controller: 'envoy-gateway',
    className: 'eg',
    controllerNamespace: 'envoy-gateway-system',
    loadBalancing: 'least-request',
  },
};
