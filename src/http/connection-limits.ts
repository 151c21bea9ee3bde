/** Connection defaults the command line shows before anything of the HTTP stack is loaded. */

/** Connections served at once; more wait in the kernel's backlog. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** A TLS handshake must finish within this. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
