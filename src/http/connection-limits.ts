/** Connection defaults the command line shows before anything of the HTTP stack is loaded. */

/** Connections served at once; more wait in the kernel's backlog. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/**
 * Connections one client address (an IPv6 client: its /64) may hold: one host cannot take every
 * slot and lock the others out. WBEM clients use one connection each.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
/** A TLS handshake must finish within this. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
