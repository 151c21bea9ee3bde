import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { commandNodeFlags } from '../../bench/shipped-flags.js';

/** The Node flags are set in the command's first line and repeated where Node is started another way. */
describe('the Node flags the server ships with', () => {
  const root = new URL('../../../', import.meta.url);
  const flags = commandNodeFlags();

  it('are given in bin/xen-wbem, and repeated by npm start and the systemd unit', () => {
    expect(flags).to.not.be.empty;
    const start = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;
    expect(start).to.equal(`node ${flags.join(' ')} bin/xen-wbem serve`);
    const unit = readFileSync(new URL('contrib/xen-wbem.service', root), 'utf8');
    expect(unit).to.contain(`ExecStart=/usr/bin/node ${flags.join(' ')} /opt/xen-wbem/bin/xen-wbem serve`);
  });
});
