/** src/http: the express adapter (DESIGN §1/§2). */
export type { CimHttpRequest, CimHttpResponse, CimRequestHandler } from './handler.js';
export { createHttpApp, ANONYMOUS, type HttpAppOptions, type HttpLimits } from './app.js';
export { startServers, isLoopback, type ServerOptions, type RunningServers } from './servers.js';
export { createAuthenticator, parseBasic, REALM, type Authenticator, type AuthenticatorOptions } from './auth.js';
export { addUser, removeUser, listUsers, loadUsers, hashPassword, verifyPassword, type UserRecord } from './users.js';
