import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrypt } from 'node:crypto';
import { createAuthenticator, parseBasic, type LoginFailure } from '../../src/http/auth.js';
import { addressKey } from '../../src/http/login-throttle.js';
import { addUser, removeUser } from '../../src/http/users.js';
import { CIM_HEADERS, RawClient, basic, exchange, fixture, rawRequest, start, type Harness } from './helpers.js';

describe('http auth: Basic against the users file', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'xen-wbem-auth-'));
    file = join(dir, 'users.json');
    await addUser(file, 'pegasus', 's3cret', 'operator');
    await addUser(file, 'col', 'a:b:c', 'reader');
  });
  after(async () => { await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); });

  it('parses Basic credentials, splitting at the first colon', () => {
    expect(parseBasic(basic('u', 'p:q'))).to.deep.equal({ user: 'u', password: 'p:q' });
    expect(parseBasic('basic ' + Buffer.from('u:').toString('base64'))).to.deep.equal({ user: 'u', password: '' });
    expect(parseBasic(undefined)).to.equal(null);
    expect(parseBasic('Bearer abc')).to.equal(null);
    expect(parseBasic('Basic ' + Buffer.from('nocolon').toString('base64'))).to.equal(null);
    expect(parseBasic('Basic !!!')).to.equal(null);
  });

  it('authenticates the right password and rejects wrong ones and unknown users', async () => {
    const auth = createAuthenticator(file);
    expect(await auth.authenticate(basic('pegasus', 's3cret'))).to.deep.equal({ name: 'pegasus', role: 'operator' });
    expect(await auth.authenticate(basic('col', 'a:b:c'))).to.deep.equal({ name: 'col', role: 'reader' });
    expect(await auth.authenticate(basic('pegasus', 'wrong'))).to.equal(null);
    expect(await auth.authenticate(basic('nobody', 's3cret'))).to.equal(null);
    expect(await auth.authenticate(basic('bad name', 'x'))).to.equal(null);
    expect(await auth.authenticate(undefined)).to.equal(null);
  });

  it('caches successful verifications (a keep-alive burst does not pay scrypt each time)', async () => {
    const auth = createAuthenticator(file);
    let t = process.hrtime.bigint();
    await auth.authenticate(basic('pegasus', 's3cret'));
    const first = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) expect(await auth.authenticate(basic('pegasus', 's3cret'))).not.to.equal(null);
    const next20 = Number(process.hrtime.bigint() - t) / 1e6;
    expect(next20).to.be.lessThan(first);
    // The cache is per password: a wrong one is still checked.
    expect(await auth.authenticate(basic('pegasus', 's3cret!'))).to.equal(null);
  });

  it('re-reads the file when it changes (role change, removal, new password)', async () => {
    const f2 = join(dir, 'users2.json');
    await addUser(f2, 'eve', 'one', 'reader');
    const auth = createAuthenticator(f2);
    expect(await auth.authenticate(basic('eve', 'one'))).to.deep.equal({ name: 'eve', role: 'reader' });
    await addUser(f2, 'eve', 'one', 'admin', { replace: true });
    expect(await auth.authenticate(basic('eve', 'one'))).to.deep.equal({ name: 'eve', role: 'admin' });
    await addUser(f2, 'eve', 'two', 'admin', { replace: true });
    expect(await auth.authenticate(basic('eve', 'one'))).to.equal(null);
    expect(await auth.authenticate(basic('eve', 'two'))).not.to.equal(null);
    await removeUser(f2, 'eve');
    expect(await auth.authenticate(basic('eve', 'two'))).to.equal(null);
  });

  it('fails closed on a broken users file', async () => {
    const f3 = join(dir, 'users3.json');
    await fs.writeFile(f3, '{ not json');
    const logs: string[] = [];
    const auth = createAuthenticator(f3, { log: (l) => { logs.push(l); } });
    expect(await auth.authenticate(basic('pegasus', 's3cret'))).to.equal(null);
    expect(logs.join('\n')).to.contain('cannot load users file');
  });

  describe('over HTTP', () => {
    let h: Harness;
    before(async () => { h = await start(undefined, { auth: createAuthenticator(file) }); });
    after(async () => { await h.close(); });
    beforeEach(() => { h.seen.length = 0; });

    it('no credentials → 401 with WWW-Authenticate, handler not called', async () => {
      const r = await exchange(h.port, rawRequest(CIM_HEADERS));
      expect(r.status).to.equal(401);
      expect(r.headers['www-authenticate']).to.equal('Basic realm="xen-wbem"');
      expect(r.body.toString().length).to.be.lessThan(100);
      expect(h.seen).to.have.length(0);
    });

    it('no credentials and a body still to come → 401, and the connection closes instead of waiting for the body', async () => {
      const c = await RawClient.connect(h.port);
      try {
        const head = rawRequest(CIM_HEADERS, 'x'.repeat(100_000));
        c.write(head.subarray(0, head.indexOf('\r\n\r\n') + 4 + 10)); // the head and 10 bytes of the body
        const r = await c.response();
        expect(r.status).to.equal(401);
        expect(r.headers['connection']).to.equal('close');
        // The client keeps trickling its body: the server cuts it off within seconds.
        const t0 = Date.now();
        while (!c.closed && Date.now() - t0 < 8_000) {
          if (!c.sock.destroyed) c.write('y');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(c.closed, 'closed by the server').to.equal(true);
        expect(Date.now() - t0).to.be.below(8_000);
      } finally {
        c.close();
      }
      expect(h.seen).to.have.length(0);
    });

    it('wrong password → 401', async () => {
      const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, Authorization: basic('pegasus', 'nope') }));
      expect(r.status).to.equal(401);
      expect(r.headers['www-authenticate']).to.equal('Basic realm="xen-wbem"');
    });

    it('right password → 200 with the principal passed to the handler', async () => {
      const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, Authorization: basic('pegasus', 's3cret') }));
      expect(r.status).to.equal(200);
      expect(h.seen[0]!.principal).to.deep.equal({ name: 'pegasus', role: 'operator' });
    });

    it('keeps the connection usable after a 401 (client retries with credentials)', async () => {
      const c = await RawClient.connect(h.port);
      try {
        c.write(rawRequest(CIM_HEADERS));
        expect((await c.response()).status).to.equal(401);
        c.write(rawRequest({ ...CIM_HEADERS, Authorization: basic('pegasus', 's3cret') }));
        expect((await c.response()).status).to.equal(200);
      } finally { c.close(); }
    });

    for (const name of [
      'wbemcli-error-no-credentials.1-EnumerateInstanceNames.txt',
      'wbemcli-error-wrong-password.1-EnumerateInstanceNames.txt',
      'pywbem-error-no-credentials.1-EnumerateInstanceNames.txt',
      'pywbem-error-wrong-password.1-EnumerateInstanceNames.txt',
    ]) {
      it(`replays ${name} → 401`, async () => {
        const r = await exchange(h.port, fixture(name));
        expect(r.status).to.equal(401);
        expect(r.headers['www-authenticate']).to.equal('Basic realm="xen-wbem"');
      });
    }

    it('replays a pywbem request with the right credentials → 200', async () => {
      const r = await exchange(h.port, fixture('pywbem-EnumerateInstanceNames.1-EnumerateInstanceNames.txt'));
      expect(r.status).to.equal(200);
      expect(h.seen[0]!.principal.name).to.equal('pegasus');
      expect(h.seen[0]!.body).to.match(/^<\?xml[\s\S]*<\/CIM>$/);
    });

    it('replays wbemcli -cte → chunked response with trailers', async () => {
      const r = await exchange(h.port, fixture('wbemcli-ei-cte.1-EnumerateInstances.txt'));
      expect(r.status).to.equal(200);
      expect(r.chunked).to.equal(true);
      expect(r.trailers['cimstatuscode']).to.equal('0');
      expect(h.seen[0]!.headers.object).to.equal('root/virt');
    });
  });
});

describe('http auth under a failed-login flood', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'xen-wbem-flood-'));
    file = join(dir, 'users.json');
    await addUser(file, 'alice', 'right', 'admin');
  });
  after(async () => { await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); });

  it('a remembered credential is answered while the libuv pool is saturated (no fs call on the way)', async () => {
    const auth = createAuthenticator(file);
    expect(await auth.authenticate(basic('alice', 'right'), '10.0.0.1')).to.deep.equal({ name: 'alice', role: 'admin' });
    // Keep all four pool threads busy for a while (what a flood of scrypt checks does): one run each.
    const busy = Array.from({ length: 4 }, () => new Promise((resolve) => scrypt('x', 'salt', 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 }, resolve)));
    const t0 = performance.now();
    expect(await auth.authenticate(basic('alice', 'right'), '10.0.0.1')).to.deep.equal({ name: 'alice', role: 'admin' });
    const ms = performance.now() - t0;
    await Promise.all(busy);
    const poolMs = performance.now() - t0;
    expect(ms, `pool busy for ${poolMs.toFixed(0)} ms`).to.be.lessThan(Math.min(20, poolMs / 4));
  });

  it('throttles failed logins per address: 401 up to the limit, then 429 without a check; others unaffected', async () => {
    const failures: LoginFailure[] = [];
    const auth = createAuthenticator(file, { throttle: { limit: 3, windowMs: 60_000 }, onFailure: (f) => failures.push(f) });
    expect(await auth.authenticate(basic('alice', 'right'), '10.0.0.9')).to.not.equal(null);     // remembered
    for (let i = 0; i < 3; i++) expect(await auth.authenticate(basic('alice', `wrong${i}`), '10.0.0.9')).to.equal(null);
    const t0 = performance.now();
    const refused = await auth.authenticate(basic('alice', 'wrong3'), '10.0.0.9');
    expect(performance.now() - t0).to.be.lessThan(5);                                    // no scrypt ran
    expect(refused).to.deep.include({ refused: 'throttled' });
    expect((refused as { retryAfterSec: number }).retryAfterSec).to.be.within(1, 60);
    // A credential verified before keeps working from that address; a new one waits.
    expect(await auth.authenticate(basic('alice', 'right'), '10.0.0.9')).to.deep.equal({ name: 'alice', role: 'admin' });
    expect(await auth.authenticate(basic('ghost', 'x'), '10.0.0.9')).to.deep.include({ refused: 'throttled' });
    // Another address is checked as usual.
    expect(await auth.authenticate(basic('ghost', 'x'), '10.0.0.10')).to.equal(null);
    expect(failures.map((f) => [f.remote, f.reason])).to.deep.equal([
      ['10.0.0.9', 'wrong password'], ['10.0.0.9', 'wrong password'], ['10.0.0.9', 'wrong password'], ['10.0.0.9', 'throttled'],
      ['10.0.0.10', 'unknown user'],
    ]);
  });

  it('a check that waited for a slot is not run once its address got throttled meanwhile', async () => {
    const auth = createAuthenticator(file, { throttle: { limit: 2, maxConcurrentChecks: 1 } });
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => auth.authenticate(basic('alice', `w${n}`), '10.2.0.1')));
    expect(out.filter((o) => o === null)).to.have.length(2);
    expect(out.filter((o) => o !== null && 'refused' in o)).to.have.length(4);
  });

  it('bounds the password checks running at once, whatever the addresses', async () => {
    const auth = createAuthenticator(file, { throttle: { maxConcurrentChecks: 1, maxQueuedChecks: 1 } });
    const out = await Promise.all(['1', '2', '3'].map((n) => auth.authenticate(basic('alice', `w${n}`), `10.1.0.${n}`)));
    expect(out.filter((o) => o === null)).to.have.length(2);
    expect(out.filter((o) => o !== null && 'refused' in o)).to.have.length(1);
  });

  it('a flood refused as busy is one audit entry per address and window, not one per request', async () => {
    const failures: LoginFailure[] = [];
    const auth = createAuthenticator(file, {
      throttle: { limit: 1000, maxConcurrentChecks: 1, maxQueuedChecks: 1 }, onFailure: (f) => failures.push(f),
    });
    const out = await Promise.all(Array.from({ length: 40 }, (_, n) => auth.authenticate(basic('alice', `w${n}`), '10.3.0.1')));
    expect(out.filter((o) => o !== null && 'refused' in o)).to.have.length(38);   // each refused request is still refused
    expect(failures.filter((f) => f.reason === 'busy').map((f) => f.remote)).to.deep.equal(['10.3.0.1']);
    await Promise.all(Array.from({ length: 3 }, (_, n) => auth.authenticate(basic('alice', `v${n}`), '10.3.0.2')));
    expect(failures.filter((f) => f.reason === 'busy').map((f) => f.remote)).to.deep.equal(['10.3.0.1', '10.3.0.2']);
  });

  it('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).to.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(addressKey('2001:db8:1:2::1')).to.equal('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(addressKey('::ffff:192.0.2.7')).to.equal('192.0.2.7');
    expect(addressKey('::1')).to.equal('0:0:0:0::/64');
  });

  it('over HTTP: 429 with Retry-After once an address is throttled (held back), and no WWW-Authenticate', async () => {
    const h = await start(undefined, { auth: createAuthenticator(file, { throttle: { limit: 2 } }) });
    try {
      const wrong = () => exchange(h.port, rawRequest({ ...CIM_HEADERS, Authorization: basic('alice', 'nope') }));
      expect((await wrong()).status).to.equal(401);
      expect((await wrong()).status).to.equal(401);
      const t0 = Date.now();
      const r = await wrong();
      expect(r.status).to.equal(429);
      expect(Date.now() - t0, 'a throttled answer is held back').to.be.at.least(450);
      expect(Number(r.headers['retry-after'])).to.be.within(1, 60);
      expect(r.headers['www-authenticate']).to.equal(undefined);
    } finally { await h.close(); }
  });
});
