import { expect } from 'chai';
import { networkName, networkPages, type NetworkSource } from '../../src/topology/index.js';
import type { NetworkPicture } from '../../src/virt/networks/types.js';
import { ringPicture } from './pictures.js';

function source(pictures: NetworkPicture[]): NetworkSource {
  return {
    list: async () => pictures.map((p) => ({ name: p.name, state: p.state, members: p.systems, links: p.links })),
    picture: async (name) => pictures.find((p) => p.name === name),
  };
}

describe('topology: the network pages (without a server)', () => {
  it('says so when there are no networks', async () => {
    const a = await networkPages(source([])).serve('/networks');
    expect(a.status).to.equal(200);
    expect(a.body).to.include('<p class="empty">No networks are defined.</p>');
    expect(a.body).to.not.include('<table>');
    expect((await networkPages(source([])).serve('/networks/', 'application/json')).body).to.equal('[]\n');
  });

  it('escapes names in the list and percent-encodes them in its links', async () => {
    const a = await networkPages(source([ringPicture(2, 'a<b>&"c')])).serve('/networks');
    expect(a.body).to.include('<a class="drawing" href="/networks/a%3Cb%3E%26%22c.svg">a&lt;b&gt;&amp;&quot;c</a>');
    expect(a.body).to.not.include('<b>');
  });

  it('prefers HTML unless the client asks for JSON first', async () => {
    const pages = networkPages(source([ringPicture(3, 'x')]));
    const kind = async (accept?: string) => (await pages.serve('/networks', accept)).contentType.split(';')[0];
    expect(await kind()).to.equal('text/html');
    expect(await kind('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).to.equal('text/html');
    expect(await kind('application/json')).to.equal('application/json');
    expect(await kind('application/json, text/html')).to.equal('application/json');
  });

  it('takes a network name as the model allows it, percent-decoded', () => {
    expect(networkName('demo')).to.equal('demo');
    expect(networkName('my.net_1-a')).to.equal('my.net_1-a');
    expect(networkName('%64emo')).to.equal('demo');
    for (const bad of ['', '.hidden', '123', 'a%2Fb', 'a b', '%E0%A4%A', 'x'.repeat(65), '%00']) expect(networkName(bad), bad).to.equal(undefined);
    expect(networkName('x'.repeat(64))).to.equal('x'.repeat(64));
  });
});
