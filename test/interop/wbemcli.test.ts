/**
 * Interop with the real sblim wbemcli client (Debian sblim-wbemcli 1.6.3): every command
 * family against the running server on the test provider, with Basic auth.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

describe('interop: sblim wbemcli against the test provider', function () {
  this.timeout(60_000);
  let srv: TestServer;
  let U: string;
  const wbem = wbemcli;

  before(async () => {
    await requireWbemcli();
    srv = await startTestServer({ users: [{ name: 'admin', password: 's3cret', role: 'admin' }, { name: 'viewer', password: 'v1ew', role: 'reader' }] });
    U = `http://admin:s3cret@127.0.0.1:${srv.port}/root/test`;
  });
  after(async () => srv?.close());

  it('ecn and ec list classes', async () => {
    const r = await wbem('ecn', U);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('Test_Widget').and.contain('Test_SpecialWidget');
    const ec = await wbem('ec', `${U}:Test_Base`);
    expect(ec.code, ec.err).to.equal(0);
    expect(ec.out).to.contain('Test_Widget');
  });

  it('gc shows the class; gcd its raw XML with the method and parameters', async () => {
    const r = await wbem('gc', `${U}:Test_Widget`);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('InstanceID=,').and.contain('Size=,');
    const d = await wbem('gcd', `${U}:Test_Widget`);
    expect(d.code, d.err).to.equal(0);
    expect(d.out).to.contain('<METHOD NAME="Resize"').and.contain('<PARAMETER NAME="NewSize"');
  });

  it('ei and ein enumerate, with a property list', async () => {
    const ei = await wbem('ei', '-nl', `${U}:Test_Widget`, 'Size');
    expect(ei.code, ei.err).to.equal(0);
    expect(ei.out).to.contain('-Size=10').and.not.contain('ElementName');
    const ein = await wbem('ein', `${U}:Test_Base`);
    expect(ein.code, ein.err).to.equal(0);
    expect(ein.out.trim().split('\n')).to.have.length(6);
    expect(ein.out).to.contain('Test_Gadget.InstanceID="g1"');
  });

  it('gi and gp read one instance', async () => {
    const gi = await wbem('gi', '-nl', `${U}:Test_Widget.InstanceID="w1"`);
    expect(gi.code, gi.err).to.equal(0);
    expect(gi.out).to.contain('-ElementName="Widget 1"');
    const gp = await wbem('gp', `${U}:Test_Widget.InstanceID="w1"`, 'Size');
    expect(gp.code, gp.err).to.equal(0);
    expect(gp.out).to.contain('10');
    const missing = await wbem('gi', `${U}:Test_Widget.InstanceID="nope"`);
    expect(missing.code).to.not.equal(0);
    expect(missing.err).to.contain('CIM_ERR_NOT_FOUND');
  });

  it('ai, ain, ri, rin traverse the association with filters', async () => {
    const path = `${U}:Test_Widget.InstanceID="w1"`;
    const ain = await wbem('ain', '-ac', 'Test_WidgetGadget', path);
    expect(ain.code, ain.err).to.equal(0);
    expect(ain.out).to.contain('InstanceID="g1"').and.contain('InstanceID="g2"');
    const ai = await wbem('ai', '-nl', '-arr', 'Gadget', path);
    expect(ai.code, ai.err).to.equal(0);
    expect(ai.out).to.contain('-Weight=1.5');
    const ri = await wbem('ri', '-ar', 'Widget', path);
    expect(ri.code, ri.err).to.equal(0);
    expect(ri.out).to.contain('Count');
    const rin = await wbem('rin', path);
    expect(rin.code, rin.err).to.equal(0);
    expect(rin.out.trim().split('\n')).to.have.length(2);
  });

  it('cm invokes a method with untyped parameters', async () => {
    const r = await wbem('cm', `${U}:Test_Widget.InstanceID="w3"`, 'Resize.NewSize=77');
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('Resize: 0');
    expect(srv.store.byClass.get('Test_Widget')!.get('w3')!.Size).to.equal(77);
  });

  it('rejects missing and wrong credentials, and enforces roles', async () => {
    const anon = await wbem('ein', `http://127.0.0.1:${srv.port}/root/test:Test_Widget`);
    expect(anon.code).to.not.equal(0);
    const wrong = await wbem('ein', `http://admin:nope@127.0.0.1:${srv.port}/root/test:Test_Widget`);
    expect(wrong.code).to.not.equal(0);
    const reader = `http://viewer:v1ew@127.0.0.1:${srv.port}/root/test`;
    expect((await wbem('ein', `${reader}:Test_Widget`)).code).to.equal(0);
    const denied = await wbem('cm', `${reader}:Test_Widget.InstanceID="w3"`, 'Resize.NewSize=5');
    expect(denied.code).to.not.equal(0);
    expect(denied.err).to.contain('CIM_ERR_ACCESS_DENIED');
  });
});
