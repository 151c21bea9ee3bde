/**
 * EnumerateInstances over HTTP streams: providers that produce instances batch by batch are read
 * batch by batch while the answer is encoded, in the order a whole enumeration gives them; a
 * failure before the first byte is still a whole CIM error.
 */
import { expect } from 'chai';
import { CimInstance, CimInstanceName } from '../../src/cim/index.js';
import { encodeNamedInstanceStream } from '../../src/cimxml/index.js';
import { NO_FLAGS } from '../../src/operations/flags.js';

function named(i: number): CimInstance {
  const inst = new CimInstance('Test_Item');
  inst.set('Id', String(i));
  inst.path = new CimInstanceName('Test_Item', [{ name: 'Id', value: String(i), type: 'string' }]);
  return inst;
}

describe('operations: streamed EnumerateInstances encoding', () => {
  it('encodes batches as they come, in order, into the same message a whole enumeration gives', async () => {
    let made = 0;
    async function* batches(): AsyncGenerator<CimInstance[]> {
      for (let b = 0; b < 3; b++) {
        const out: CimInstance[] = [];
        for (let i = 0; i < 2000; i++) out.push(named(made++));
        yield out;
      }
    }
    const chunks: string[] = [];
    const madeWhenFirstChunk: number[] = [];
    for await (const c of encodeNamedInstanceStream('7', 'EnumerateInstances', batches(), NO_FLAGS)) {
      if (chunks.length === 0) madeWhenFirstChunk.push(made);
      chunks.push(c);
    }
    // The first piece went out before the last batch was built.
    expect(madeWhenFirstChunk[0]).to.be.below(6000);
    const xml = chunks.join('');
    expect(xml).to.match(/^<\?xml version="1.0" encoding="utf-8" \?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstances"><IRETURNVALUE>/);
    expect(xml.endsWith('</IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>')).to.equal(true);
    const ids = [...xml.matchAll(/<KEYVALUE VALUETYPE="string" TYPE="string">([0-9]+)<\/KEYVALUE>/g)].map((m) => Number(m[1]));
    expect(ids).to.deep.equal(Array.from({ length: 6000 }, (_, i) => i));
  });

  it('an instance without its path fails before anything is produced', async () => {
    async function* one(): AsyncGenerator<CimInstance[]> {
      yield [new CimInstance('Test_Item')];
    }
    const it = encodeNamedInstanceStream('1', 'EnumerateInstances', one(), NO_FLAGS)[Symbol.asyncIterator]();
    const err = await it.next().then(() => null, (e: unknown) => e);
    expect(String(err)).to.match(/without its path/);
  });
});
