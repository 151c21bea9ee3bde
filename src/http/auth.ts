/**
 * HTTP Basic authentication (RFC 7617; DSP0200 §7.x leaves the scheme to HTTP, and pywbem
 * and wbemcli both send Basic pre-emptively) against the users file.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Principal } from '../operations/provider.js';
import { USERNAME, loadUsers, verifyPassword, type UserRecord } from './users.js';

export const REALM = 'xen-wbem';
export const WWW_AUTHENTICATE = `Basic realm="${REALM}"`;

export interface Authenticator {
  /** The principal for an `Authorization` header value, or null (absent, malformed, wrong). */
  authenticate(authorization: string | undefined): Promise<Principal | null>;
}

export interface AuthenticatorOptions {
  /** How long a successful verification is remembered (keep-alive bursts skip scrypt). */
  cacheTtlMs?: number;
  log?: (line: string) => void;
}

/** `Basic base64(user:password)`; the password is everything after the first colon. */
export function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const m = /^\s*Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

const CACHE_MAX = 1024;
/** Verified against when the user is unknown, so timing does not reveal which names exist. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function createAuthenticator(file: string, opts: AuthenticatorOptions = {}): Authenticator {
  const ttl = opts.cacheTtlMs ?? 60_000;
  let users = new Map<string, UserRecord>();
  let stamp = '';            // mtime/size/inode of the file we loaded
  let loading: Promise<void> | null = null;
  // key: user \0 stored hash \0 sha256(password): a changed password or hash misses the cache.
  const verified = new Map<string, number>();

  async function refresh(): Promise<void> {
    let now: string;
    try {
      const st = await fs.stat(file);
      now = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      now = 'missing';
    }
    if (now === stamp) return;
    try {
      const list = now === 'missing' ? [] : await loadUsers(file);
      users = new Map(list.map((u) => [u.name, u]));
    } catch (e) {
      // Fail closed: a users file we cannot read admits nobody (rather than the old users).
      users = new Map();
      opts.log?.(`auth: cannot load users file ${file}: ${(e as Error).message}`);
    }
    stamp = now;
    verified.clear();
  }

  return {
    async authenticate(authorization) {
      const cred = parseBasic(authorization);
      if (!cred || !USERNAME.test(cred.user)) return null;
      // One reload at a time; concurrent requests wait for it.
      loading ??= refresh().finally(() => { loading = null; });
      await loading;

      const rec = users.get(cred.user);
      const pwDigest = createHash('sha256').update(cred.password, 'utf8').digest('base64');
      const key = `${cred.user}\0${rec?.hash ?? ''}\0${pwDigest}`;
      const until = verified.get(key);
      const t = Date.now();
      if (rec && until !== undefined && until > t) return { name: rec.name, role: rec.role };

      const ok = await verifyPassword(cred.password, rec?.hash ?? DUMMY_HASH);
      if (!ok || !rec) return null;
      // The file may have changed while scrypt ran: only trust the record still current.
      const current = users.get(cred.user);
      if (!current || current.hash !== rec.hash) return null;
      if (verified.size >= CACHE_MAX) {
        for (const [k, exp] of verified) if (exp <= t || verified.size >= CACHE_MAX) verified.delete(k);
      }
      verified.set(key, t + ttl);
      return { name: current.name, role: current.role };
    },
  };
}
