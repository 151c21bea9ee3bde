/**
 * HTTP Basic authentication (RFC 7617; DSP0200 leaves the scheme to HTTP, and pywbem and
 * wbemcli both send Basic pre-emptively) against the users file.
 *
 * Nothing on a request's path waits for the libuv thread pool unless a password must really
 * be checked: the users file is looked at with a synchronous stat (a syscall on the main
 * thread, never queued behind scrypt runs), and a verified credential is remembered under an
 * HMAC of user and password with a per-process key (the cache holds no password and nothing
 * a dictionary could be run against), until the users file changes. Failed logins are
 * throttled per client address (login-throttle.ts) and reported for the audit log.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Logger, Principal } from '../operations/provider.js';
import { asLogger, type LogLine } from './log.js';
import { LoginThrottle, addressKey, type ThrottleOptions } from './login-throttle.js';
import { USERNAME, parseUsers, verifyPassword, type UserRecord } from './users.js';

export const REALM = 'xen-wbem';
export const WWW_AUTHENTICATE = `Basic realm="${REALM}"`;

/** Refused without checking the password: too many failed logins from this address. */
export interface Throttled { refused: 'throttled'; retryAfterSec: number }

/** A principal; null when the credentials are absent, malformed or wrong; or a refusal. */
export type AuthOutcome = Principal | null | Throttled;

export interface Authenticator {
  authenticate(authorization: string | undefined, remote?: string): Promise<AuthOutcome>;
}

/** A failed or refused login, for the audit log. */
export interface LoginFailure {
  user: string;
  remote: string;
  reason: 'wrong password' | 'unknown user' | 'throttled' | 'busy';
  retryAfterSec?: number;
}

export interface AuthenticatorOptions {
  /** How long an unused verified credential is remembered (default 15 min; any change to the users file forgets all). */
  cacheTtlMs?: number;
  log?: Logger | LogLine;
  throttle?: ThrottleOptions;
  onFailure?: (f: LoginFailure) => void;
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

interface Verified { name: string; hash: string; until: number }

export function createAuthenticator(file: string, opts: AuthenticatorOptions = {}): Authenticator & { throttle: LoginThrottle } {
  const ttl = opts.cacheTtlMs ?? 15 * 60_000;
  const log = asLogger(opts.log);
  const throttle = new LoginThrottle(opts.throttle);
  const cacheKey = randomBytes(32);
  let users = new Map<string, UserRecord>();
  let stamp = '';            // mtime/size/inode of the file we loaded
  const verified = new Map<string, Verified>();

  /** Reloads the users file when it changed (synchronous on purpose: see the header). */
  function refresh(): void {
    let now: string;
    try {
      const st = statSync(file, { bigint: true });
      now = `${st.mtimeNs}:${st.size}:${st.ino}`;
    } catch {
      now = 'missing';
    }
    if (now === stamp) return;
    try {
      const list = now === 'missing' ? [] : parseUsers(readFileSync(file, 'utf8'), file);
      users = new Map(list.map((u) => [u.name, u]));
    } catch (e) {
      // Fail closed: a users file we cannot read admits nobody (rather than the old users).
      users = new Map();
      log.error('auth: cannot load users file', { file, error: (e as Error).message });
    }
    stamp = now;
    verified.clear();
  }

  function remember(key: string, rec: UserRecord): void {
    const t = Date.now();
    if (verified.size >= CACHE_MAX) {
      for (const [k, v] of verified) if (v.until <= t || verified.size >= CACHE_MAX) verified.delete(k);
    }
    verified.set(key, { name: rec.name, hash: rec.hash, until: t + ttl });
  }

  function failed(f: LoginFailure): void {
    log.info('login failed', { user: f.user, remote: f.remote, reason: f.reason });
    opts.onFailure?.(f);
  }

  return {
    throttle,
    async authenticate(authorization, remote = '') {
      const cred = parseBasic(authorization);
      if (!cred || !USERNAME.test(cred.user)) return null;
      refresh();

      const key = createHmac('sha256', cacheKey).update(`${cred.user}\0${cred.password}`, 'utf8').digest('base64');
      const hit = verified.get(key);
      const rec = users.get(cred.user);
      if (hit && rec && hit.hash === rec.hash && hit.until > Date.now()) {
        hit.until = Date.now() + ttl;
        return { name: rec.name, role: rec.role };
      }

      const wait = throttle.retryAfterSec(remote);
      if (wait > 0) return { refused: 'throttled', retryAfterSec: wait };
      // The throttle is checked again once a slot is free, and a failure is recorded before
      // the slot passes on: checks that waited see the failures of those that ran before them.
      let blocks = false;
      const ok = await throttle.check(async () => {
        if (throttle.retryAfterSec(remote) > 0) return 'throttled' as const;
        const good = await verifyPassword(cred.password, rec?.hash ?? DUMMY_HASH);
        if (!good || !rec) blocks = throttle.fail(remote);
        return good;
      });
      if (ok === 'throttled') return { refused: 'throttled', retryAfterSec: throttle.retryAfterSec(remote) };
      if (ok === null) {
        if (throttle.reportBusy(remote)) failed({ user: cred.user, remote: addressKey(remote), reason: 'busy', retryAfterSec: 1 });
        return { refused: 'throttled', retryAfterSec: 1 };
      }
      if (!ok || !rec) {
        failed({ user: cred.user, remote, reason: rec ? 'wrong password' : 'unknown user' });
        if (blocks) {
          const retryAfterSec = throttle.retryAfterSec(remote);
          failed({ user: cred.user, remote: addressKey(remote), reason: 'throttled', retryAfterSec });
        }
        return null;
      }
      // The file may have changed while scrypt ran: only trust the record still current.
      refresh();
      const current = users.get(cred.user);
      if (!current || current.hash !== rec.hash) return null;
      remember(key, current);
      return { name: current.name, role: current.role };
    },
  };
}
