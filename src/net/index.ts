/** The only code that opens sockets (DESIGN.md "Layout"). */
export { createNetApi, createOfflineNetApi, type NetApiOptions } from './api.js';
export { NetError, classifyError, isNetError, toNetError } from './errors.js';
export {
  createBudget, createCircuitBreaker, createHostLimiter,
  type Budget, type CircuitBreaker, type HealthSignal, type HostLimiter, type Release,
} from './limits.js';
export { NET_DEFAULTS, MAX_CHAIN_BYTES, MAX_CHAIN_CERTS, tlsCipherOptions, type NetDefaults } from './dial.js';
export { FRAGILE_PORTS, isFragilePort, isValidPort, hostForUrl } from './scope.js';
export { headerMap } from './http.js';
