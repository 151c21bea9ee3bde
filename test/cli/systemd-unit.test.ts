/** contrib/xen-wbem.service: what a stop of the unit reaches, and the time it gives the server. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';

const unit = readFileSync(new URL('../../../contrib/xen-wbem.service', import.meta.url), 'utf8');
const setting = (key: string): string[] => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());

describe('the systemd unit', () => {
  it('stops only the server: the xl monitors and QEMU device models of the guests it started live on (KillMode=process)', () => {
    expect(setting('KillMode')).to.deep.equal(['process']);
  });

  it('gives a stop the time the server takes at most: 2 s for requests, 7 s for jobs, 3 s for cancelled ones', () => {
    const [timeout] = setting('TimeoutStopSec').map(Number);
    expect(timeout).to.be.at.least(2 + 7 + 3);
  });

  it('leaves root\'s ssh keys and known hosts readable: xl migrate runs ssh as root (ProtectHome=read-only, not yes)', () => {
    expect(setting('ProtectHome')).to.deep.equal(['read-only']);
  });
});
