import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, parseBasic } from '../../src/http/auth.js';
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
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

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
    await addUser(f2, 'eve', 'one', 'admin');
    expect(await auth.authenticate(basic('eve', 'one'))).to.deep.equal({ name: 'eve', role: 'admin' });
    await addUser(f2, 'eve', 'two', 'admin');
    expect(await auth.authenticate(basic('eve', 'one'))).to.equal(null);
    expect(await auth.authenticate(basic('eve', 'two'))).not.to.equal(null);
    await removeUser(f2, 'eve');
    expect(await auth.authenticate(basic('eve', 'two'))).to.equal(null);
  });

  it('fails closed on a broken users file', async () => {
    const f3 = join(dir, 'users3.json');
    await fs.writeFile(f3, '{ not json');
    const logs: string[] = [];
    const auth = createAuthenticator(f3, { log: (l) => logs.push(l) });
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
