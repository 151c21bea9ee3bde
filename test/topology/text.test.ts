import { expect } from 'chai';
import { formatBitsPerSecond, renderNetworkText } from '../../src/topology/index.js';
import { ringPicture } from './pictures.js';

describe('topology: text rendering', () => {
  it('lists the uplink, routers with state, switches with ports and links with bandwidth and state', () => {
    const text = renderNetworkText(ringPicture(3));
    const lines = text.split('\n');
    expect(lines[0]).to.equal('network demo: mixed');
    expect(lines[1]).to.equal('uplink: 9.5 Gbit/s advertised, 20 Mbit/s reserved by links (0.2%)');
    expect(text).to.match(/^routers \(3\)$/m);
    expect(text).to.match(/^ {2}r2 +paused +1 +00:16:3e:00:02:00 on core, /m);
    expect(text).to.match(/^ {2}r3 +suspended +2 /m);
    expect(text).to.match(/^switches \(4\)$/m);
    expect(text).to.match(/^ {2}core +shared +up +r1, r2, r3$/m);
    expect(text).to.match(/^ {2}xlink1 +link l1 +up +r1, r2$/m);
    expect(text).to.match(/^links \(3\)$/m);
    expect(text).to.match(/^ {2}l1 +r1 <-> r2 +100 Mbit\/s +10 Mbit\/s +down$/m);
    expect(text).to.match(/^ {2}l2 +r2 <-> r3 +200 Mbit\/s +- +down$/m);
  });

  it('shows control characters of a name escaped, never raw', () => {
    const p = ringPicture(2, 'evil\u001b]0;owned\u0007\u009b');
    p.systems[0]!.name = 'r\u001b[2J';
    const text = renderNetworkText(p);
    expect(text).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).to.include('network evil\\x1b]0;owned\\x07\\x9b: mixed');
    expect(text).to.include('r\\x1b[2J');
  });

  it('formats bandwidth with decimal prefixes', () => {
    expect(formatBitsPerSecond(undefined)).to.equal('unlimited');
    expect(formatBitsPerSecond(0)).to.equal('0 bit/s');
    expect(formatBitsPerSecond(999)).to.equal('999 bit/s');
    expect(formatBitsPerSecond(1500)).to.equal('1.5 kbit/s');
    expect(formatBitsPerSecond(2_500_000_000)).to.equal('2.5 Gbit/s');
    expect(formatBitsPerSecond(10e12)).to.equal('10 Tbit/s');
  });
});
