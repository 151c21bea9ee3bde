/** src/http: the HTTP front (docs/architecture.md): routes, CIM pipeline, auth, TLS, limits. */
export type { CimHttpRequest, CimHttpResponse, CimRequestHandler } from './handler.js';
export { createHttpApp, ANONYMOUS, type HttpAppOptions, type HttpLimits } from './app.js';
export {
  startServers, servesPlainHttp, assertPortsFree, isLoopback, DEFAULT_MAX_CONNECTIONS, DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type ServerOptions, type RunningServers,
} from './servers.js';
export {
  createAuthenticator, parseBasic, REALM, type Authenticator, type AuthenticatorOptions, type AuthOutcome, type LoginFailure,
} from './auth.js';
export { addUser, removeUser, listUsers, loadUsers, hashPassword, verifyPassword, type UserRecord } from './users.js';
export { asLogger, lineLogger, formatLine, SILENT, type LogLevel, type LogLine } from './log.js';
export { DEFAULT_HEALTH_TIMEOUT_MS, type HealthOptions } from './health.js';
