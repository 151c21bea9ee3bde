import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createAuthenticator } from '../../src/http/auth.js';
import { addUser, listUsers, loadUsers, parseUsers, removeUser, verifyPassword } from '../../src/http/users.js';

describe('http users file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'xen-wbem-users-'));
    file = join(dir, 'users.json');
  });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); });

  it('a missing file is an empty list', async () => {
    expect(await listUsers(file)).to.deep.equal([]);
  });

  it('creates the data directory for the first user (before the server ever ran)', async () => {
    const nested = join(dir, 'var', 'deeper', 'users.json');
    await addUser(nested, 'admin', 'pw', 'admin');
    expect(await listUsers(nested)).to.deep.equal([{ name: 'admin', role: 'admin' }]);
    expect((await fs.stat(join(dir, 'var'))).mode & 0o777).to.equal(0o700);
  });

  it('adds, lists, replaces and removes users', async () => {
    await addUser(file, 'alice', 'pw:with:colons', 'admin');
    await addUser(file, 'bob.r-1_x', 'secret', 'reader');
    expect(await listUsers(file)).to.deep.equal([{ name: 'alice', role: 'admin' }, { name: 'bob.r-1_x', role: 'reader' }]);

    let refused = '';
    try { await addUser(file, 'alice', 'new', 'operator'); } catch (e) { refused = (e as Error).message; }
    expect(refused).to.contain('already exists').and.contain('--force');
    expect((await loadUsers(file)).find((u) => u.name === 'alice')!.role).to.equal('admin');
    await addUser(file, 'alice', 'new', 'operator', { replace: true });
    const alice = (await loadUsers(file)).find((u) => u.name === 'alice')!;
    expect(alice.role).to.equal('operator');
    expect(await verifyPassword('new', alice.hash)).to.equal(true);
    expect(await verifyPassword('pw:with:colons', alice.hash)).to.equal(false);

    expect(await removeUser(file, 'alice')).to.equal(true);
    expect(await removeUser(file, 'alice')).to.equal(false);
    expect(await listUsers(file)).to.deep.equal([{ name: 'bob.r-1_x', role: 'reader' }]);
  });

  it('stores scrypt hashes with per-user salt, never the password, in a 0600 file', async () => {
    await addUser(file, 'a', 'same-password', 'reader');
    await addUser(file, 'b', 'same-password', 'reader');
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.to.contain('same-password');
    const [a, b] = await loadUsers(file);
    expect(a!.hash).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(a!.hash).not.to.equal(b!.hash);
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
  });

  it('rejects invalid names, roles and empty passwords', async () => {
    for (const [n, p, r] of [['bad name', 'x', 'admin'], ['', 'x', 'admin'], ['a'.repeat(65), 'x', 'admin'],
      ['ok', '', 'admin'], ['ok', 'x', 'root']] as const) {
      let failed = false;
      try { await addUser(file, n, p, r as 'admin'); } catch { failed = true; }
      expect(failed, `${n}/${r}`).to.equal(true);
    }
    expect(await listUsers(file)).to.deep.equal([]);
  });

  it('writes atomically: concurrent writers all land, readers never see a partial file', async () => {
    await addUser(file, 'seed', 'x', 'reader');
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        JSON.parse(await fs.readFile(file, 'utf8'));   // throws on a torn file
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(Array.from({ length: 8 }, (_, i) => addUser(file, `u${i}`, `p${i}`, 'operator')));
    writing = false;
    await reader;
    expect(reads).to.be.greaterThan(0);
    expect((await listUsers(file)).map((u) => u.name)).to.have.members(['seed', ...Array.from({ length: 8 }, (_, i) => `u${i}`)]);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('writers in separate processes (`user add` run twice at once) all land: none writes back a file another changed', async () => {
    const users = fileURLToPath(new URL('../../src/http/users.js', import.meta.url));
    const names = Array.from({ length: 6 }, (_, i) => `p${i}`);
    await Promise.all(names.map((n) => execa(process.execPath, ['--input-type=module', '-e',
      `import { addUser } from ${JSON.stringify(users)}; await addUser(${JSON.stringify(file)}, ${JSON.stringify(n)}, 'pw', 'reader');`])));
    expect((await listUsers(file)).map((u) => u.name)).to.have.members(names);
    expect(await fs.readdir(dir)).to.deep.equal(['users.json']);
  });

  it('removing from a users file that does not exist changes nothing and makes no directory', async () => {
    const nowhere = join(dir, 'typo', 'users.json');
    expect(await removeUser(nowhere, 'ann')).to.equal(false);
    expect(await fs.readdir(dir)).to.deep.equal([]);
  });

  it('a lock left by a killed writer is taken over', async () => {
    const gone = await execa(process.execPath, ['-e', 'console.log(process.pid)']);
    await fs.writeFile(`${file}.lock`, `${gone.stdout.trim()}\n`);
    await addUser(file, 'after', 'pw', 'admin');
    expect(await listUsers(file)).to.deep.equal([{ name: 'after', role: 'admin' }]);
    expect(await fs.readdir(dir)).to.deep.equal(['users.json']);
  });

  it('refuses a malformed users file', async () => {
    await fs.writeFile(file, '{"users": {"x": {"role": "god", "hash": "h"}}}');
    let failed = false;
    try { await loadUsers(file); } catch { failed = true; }
    expect(failed).to.equal(true);
  });

  it('a corrupt users file is refused with an error naming the file and the fault, and is left as it is', async () => {
    for (const [text, says] of [
      ['{"users": {"a": ', 'not valid JSON'],
      ['{"users": {"a": null}}', 'user "a" is not an object'],
      ['{"users": ["a"]}', 'expected {"users": {...}}'],
    ] as const) {
      await fs.writeFile(file, text);
      for (const op of [() => listUsers(file), () => addUser(file, 'b', 'pw', 'admin')]) {
        let message = '';
        try { await op(); } catch (e) { message = (e as Error).message; }
        expect(message, text).to.contain(`${file}: `).and.contain(says);
      }
      expect(await fs.readFile(file, 'utf8')).to.equal(text);
    }
    let unreadable = '';
    try { await listUsers(dir); } catch (e) { unreadable = (e as Error).message; }
    expect(unreadable).to.equal(`cannot read the users file ${dir}: EISDIR: illegal operation on a directory, read`);
  });

  describe('stored hashes', () => {
    const salt = Buffer.alloc(16, 7).toString('base64');
    const key = Buffer.alloc(32, 9).toString('base64');
    const hash = (n: number, r = 8, p = 1): string => `scrypt$${n}$${r}$${p}$${salt}$${key}`;
    const fileWith = (h: string): string => JSON.stringify({ version: 1, users: { bob: { role: 'admin', hash: h }, ann: { role: 'reader', hash: hash(16384) } } });

    it('a hash with unusable parameters is a wrong password, never an exception', async () => {
      for (const bad of [hash(1000), hash(2 ** 24), hash(16384, 0), 'scrypt$16384$8$1$$', 'bcrypt$x']) {
        expect(await verifyPassword('pw', bad), bad).to.equal(false);
      }
    });

    it('serve refuses a users file with a malformed, weak or too costly hash, naming the user and the fix', () => {
      for (const bad of [hash(1000), hash(1024), hash(2 ** 24), hash(16384, 8, 1000), `scrypt$16384$8$1$${salt}$`, 'h']) {
        expect(() => parseUsers(fileWith(bad), 'u.json'), bad).to.throw(/^u\.json: user "bob" has an unusable password hash.*`xen-wbem user add bob --force`$/);
      }
      expect(parseUsers(fileWith(hash(65536)), 'u.json').map((u) => u.name)).to.deep.equal(['bob', 'ann']);
    });

    it('user add --force replaces such a hash (the user commands read the file without judging hashes)', async () => {
      await fs.writeFile(file, fileWith(hash(1000)), { mode: 0o600 });
      expect(await listUsers(file)).to.deep.equal([{ name: 'bob', role: 'admin' }, { name: 'ann', role: 'reader' }]);
      await addUser(file, 'bob', 'new-pw', 'admin', { replace: true });
      const users = parseUsers(await fs.readFile(file, 'utf8'), file);
      expect(await verifyPassword('new-pw', users.find((u) => u.name === 'bob')!.hash)).to.equal(true);
    });

    it('the server, finding such a file while it runs, admits nobody and says why', async () => {
      await fs.writeFile(file, fileWith(hash(1000)), { mode: 0o600 });
      const lines: string[] = [];
      const auth = createAuthenticator(file, { log: (l) => lines.push(l) });
      expect(await auth.authenticate(`Basic ${Buffer.from('bob:pw').toString('base64')}`, '10.9.0.1')).to.equal(null);
      expect(lines.join('\n')).to.contain('cannot load users file').and.contain('unusable password hash');
    });
  });
});
