import type { Provider } from './Provider.js';

/** A provider that declares `endpoints` and implements both endpoint operations. */
export type EndpointProvider = Provider & Required<Pick<Provider, 'listEndpoints' | 'updateEndpoint'>>;
/** A provider that declares `loadBalancers` and implements both load-balancer operations. */
export type LoadBalancerProvider = Provider & Required<Pick<Provider, 'listLoadBalancers' | 'shiftTraffic'>>;

/**
 * True when the provider declares the `endpoints` capability and has its
 * operations. The declaration is what counts (the planner plans no endpoint
 * step without it); the methods are checked too so that a declaration
 * forwarded from elsewhere (a remote world) cannot lead to a call of a
 * method that is not there.
 */
export function hasEndpoints(provider: Provider): provider is EndpointProvider {
  return provider.capabilities.endpoints === true && typeof provider.listEndpoints === 'function' && typeof provider.updateEndpoint === 'function';
}

/** Same as {@link hasEndpoints} for the `loadBalancers` capability. */
export function hasLoadBalancers(provider: Provider): provider is LoadBalancerProvider {
  return (
    provider.capabilities.loadBalancers === true &&
    typeof provider.listLoadBalancers === 'function' &&
    typeof provider.shiftTraffic === 'function'
  );
}
