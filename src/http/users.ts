/**
 * The users file: JSON, one scrypt hash per user, written atomically (temp file, fsync,
 * rename) with mode 0600 since it holds password hashes; a change holds `FILE.lock` so that
 * changes made at once by several processes all land.
 *
 *   { "version": 1, "users": { "alice": { "role": "admin", "hash": "scrypt$16384$8$1$<salt>$<key>" } } }
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Role } from '../operations/provider.js';

export interface UserRecord {
  name: string;
  role: Role;
  /** `scrypt$N$r$p$<salt base64>$<key base64>`: parameters travel with the hash. */
  hash: string;
}

export const ROLES: readonly Role[] = ['reader', 'operator', 'admin'];
export const USERNAME = /^[A-Za-z0-9_.-]{1,64}$/;

const SCRYPT = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;
const SALT_LEN = 16;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scrypt(password, salt, KEY_LEN, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** What one password check may cost at most: scrypt holds 128·N·r bytes while it runs. */
const MAX_CHECK_MEMORY = 1024 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

interface HashParams { N: number; r: number; p: number; salt: Buffer; key: Buffer }

/**
 * The parameters of a stored hash, or null when it is not one we can check: not
 * `scrypt$N$r$p$salt$key`, weaker than what `hashPassword` writes (N below 2^14, a salt or key
 * under 16 bytes), or costlier than one check may be (a hand-edited N of 2^24 would take
 * 16 GiB, a non-power-of-two N makes scrypt throw).
 */
function hashParams(stored: string): HashParams | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt' || !BASE64.test(parts[4]!) || !BASE64.test(parts[5]!)) return null;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,10}$/.test(x) ? Number(x) : NaN)) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  const powerOfTwo = Number.isInteger(N) && N >= SCRYPT.N && (N & (N - 1)) === 0;
  if (!powerOfTwo || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16) || 128 * N * r > MAX_CHECK_MEMORY) return null;
  if (salt.length < SALT_LEN || key.length < 16 || key.length > 64) return null;
  return { N, r, p, salt, key };
}

/** Constant-time check of `password` against a stored hash; false for a hash we cannot check. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = hashParams(stored);
  if (!h) return false;
  const key = await scrypt(password, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r + 1024 * 1024 });
  return timingSafeEqual(key, h.key);
}

/**
 * The users in a users file's text; an error names the file and what is wrong with it. A hash
 * that cannot be checked is an error too (the server would refuse the user with no word why),
 * except with `anyHash`: the user commands read the file so, and `user add NAME --force`
 * replaces such a hash.
 */
export function parseUsers(text: string, file: string, opts: { anyHash?: boolean } = {}): UserRecord[] {
  let data: { users?: Record<string, { role?: unknown; hash?: unknown } | null> };
  try {
    data = JSON.parse(text) as typeof data;
  } catch (e) {
    throw new Error(`${file}: not a users file: not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || typeof data.users !== 'object' || data.users === null || Array.isArray(data.users)) {
    throw new Error(`${file}: not a users file (expected {"users": {...}})`);
  }
  return Object.entries(data.users).map(([name, u]) => {
    if (!USERNAME.test(name)) throw new Error(`${file}: invalid user name "${name}"`);
    if (typeof u !== 'object' || u === null) throw new Error(`${file}: user "${name}" is not an object with a role and a hash`);
    if (!ROLES.includes(u.role as Role)) throw new Error(`${file}: user "${name}" has an invalid role`);
    if (typeof u.hash !== 'string') throw new Error(`${file}: user "${name}" has no hash`);
    if (!opts.anyHash && !hashParams(u.hash)) {
      throw new Error(`${file}: user "${name}" has an unusable password hash (malformed, weaker than scrypt N=2^${Math.log2(SCRYPT.N)}, `
        + `or costlier than 1 GiB per check): set the password again with \`xen-wbem user add ${name} --force\``);
    }
    return { name, role: u.role as Role, hash: u.hash };
  });
}

/** All users; a missing file is an empty list (so the first addUser creates it). */
export async function loadUsers(file: string): Promise<UserRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read the users file ${file}: ${(e as Error).message}`);
  }
  return parseUsers(text, file, { anyHash: true });
}

async function writeUsers(file: string, users: UserRecord[]): Promise<void> {
  const sorted = [...users].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const doc = { version: 1, users: Object.fromEntries(sorted.map((u) => [u.name, { role: u.role, hash: u.hash }])) };
  const dir = path.dirname(path.resolve(file));
  // The first user is often added before the server ever ran: create the data directory.
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(JSON.stringify(doc, null, 2) + '\n', 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable; not every platform lets a directory be fsynced.
  try {
    const dh = await fs.open(dir, 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  } catch { /* best effort */ }
}

/** How long a change waits for another process's change of the same file. */
const LOCK_WAIT_MS = 10_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';   // alive, someone else's
  }
}

async function lockOwner(lock: string): Promise<number> {
  return Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
}

/**
 * Read-modify-write cycles on one file are serialised across processes: two `user add` run at
 * once would otherwise each write back the file they read, and all users but one were lost.
 * `FILE.lock`, made by a link (so it always holds its owner's pid), is held for the cycle; one
 * left by a killed process (its pid gone) is taken over.
 */
async function withLockFile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path.resolve(file)}.lock`;
  const dir = path.dirname(lock);
  // The first user is often added before the server ever ran: create the data directory.
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(lock)}.${process.pid}.${randomBytes(6).toString('hex')}`);
  await fs.writeFile(tmp, `${process.pid}\n`, { mode: 0o600 });
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await fs.link(tmp, lock);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = await lockOwner(lock);
      if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
        // Stale: moved aside under our own name, removed only if it is still the one judged.
        const aside = `${tmp}.stale`;
        try { await fs.rename(lock, aside); } catch { continue; }
        const moved = await lockOwner(aside);
        if (moved !== owner && processAlive(moved)) await fs.link(aside, lock).catch(() => {});
        await fs.rm(aside, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`${file} is being changed by another process (pid ${owner || '?'}, lock ${lock}); `
          + 'try again, or remove the lock if that process is gone');
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  try {
    return await fn();
  } finally {
    if ((await lockOwner(lock)) === process.pid) await fs.rm(lock, { force: true });
  }
}

/** Read-modify-write cycles on one file are serialised within this process, and across processes by its lock. */
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(file: string, cycle: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  const prev = queues.get(key) ?? Promise.resolve();
  const fn = (): Promise<T> => withLockFile(file, cycle);
  const next = prev.then(fn, fn);
  const tail = next.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => { if (queues.get(key) === tail) queues.delete(key); });
  return next;
}

/**
 * Adds a user. An existing user is replaced (new password and role) only with `replace`:
 * otherwise a typo in a name would silently overwrite someone else's password.
 */
export function addUser(file: string, name: string, password: string, role: Role, opts: { replace?: boolean } = {}): Promise<void> {
  if (!USERNAME.test(name)) return Promise.reject(new Error(`invalid user name "${name}" (${USERNAME.source})`));
  if (!ROLES.includes(role)) return Promise.reject(new Error(`invalid role "${role}" (${ROLES.join('|')})`));
  if (password.length === 0) return Promise.reject(new Error('empty password'));
  return serialised(file, async () => {
    const all = await loadUsers(file);
    if (!opts.replace && all.some((u) => u.name === name)) {
      throw new Error(`user "${name}" already exists in ${file} (replace it with --force)`);
    }
    const hash = await hashPassword(password);
    const users = all.filter((u) => u.name !== name);
    users.push({ name, role, hash });
    await writeUsers(file, users);
  });
}

/** Removes a user; returns whether it existed. */
export async function removeUser(file: string, name: string): Promise<boolean> {
  // Nothing to remove from a file that is not there (and no directory is made for its lock).
  if ((await loadUsers(file)).every((u) => u.name !== name)) return false;
  return serialised(file, async () => {
    const users = await loadUsers(file);
    const rest = users.filter((u) => u.name !== name);
    if (rest.length === users.length) return false;
    await writeUsers(file, rest);
    return true;
  });
}

export async function listUsers(file: string): Promise<Array<{ name: string; role: Role }>> {
  return (await loadUsers(file)).map(({ name, role }) => ({ name, role }));
}
