import { expect } from 'chai';
import { CIM_ERR, CimDateTime, CimError, CimInstance, CimInstanceName, type CimValue, NameMap } from '../../../src/cim/index.js';
import {
  readBoolean, readDateTime, readInstance, readInstances, readNumber, readRef, readRefs, readString, readStrings,
} from '../../../src/providers/shared/params.js';

const params = (o: Record<string, CimValue>) => new NameMap<CimValue>(Object.entries(o));
const ref = CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'web' });

function refused(fn: () => unknown, names: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).to.be.instanceOf(CimError).with.property('code', CIM_ERR.INVALID_PARAMETER);
  expect((err as CimError).description).to.match(names);
}

describe('providers/shared: typed value readers', () => {
  it('read what operations/ typed; NULL and absent are undefined (an empty list for lists)', () => {
    const p = params({ S: 'x', N: 42, B: false, D: CimDateTime.interval(1000), R: ref, RS: [ref, null], I: new CimInstance('X'), Z: null });
    expect([readString(p, 'S'), readNumber(p, 'N'), readBoolean(p, 'B')]).to.deep.equal(['x', 42, false]);
    expect(readDateTime(p, 'D')!.isInterval).to.equal(true);
    expect(readRef(p, 'R')).to.equal(ref);
    expect(readRefs(p, 'RS')).to.deep.equal([ref]);
    expect(readRefs(p, 'R')).to.deep.equal([ref]);
    expect(readInstance(p, 'I')!.className).to.equal('X');
    expect(readInstances(p, 'Z')).to.deep.equal([]);
    for (const read of [readString, readNumber, readBoolean, readDateTime, readRef, readInstance]) {
      expect(read(p, 'Z')).to.equal(undefined);
      expect(read(p, 'Absent')).to.equal(undefined);
    }
    expect(readStrings(params({ L: ['a', 'b'] }), 'L')).to.deep.equal(['a', 'b']);
  });

  it('refuse another shape with CIM_ERR_INVALID_PARAMETER naming the value (and where it is)', () => {
    // Text is never read as a number or a boolean: untyped client text was typed by operations/.
    refused(() => readNumber(params({ VirtualQuantity: '512' }), 'VirtualQuantity', 'ResourceSettings[0]'), /ResourceSettings\[0\]: VirtualQuantity must be a whole number/);
    refused(() => readNumber(params({ N: 1.5 }), 'N'), /N must be a whole number/);
    refused(() => readNumber(params({ N: 2n ** 60n }), 'N'), /N must be at most/);
    refused(() => readBoolean(params({ AutoStart: 'true' }), 'AutoStart'), /AutoStart must be TRUE or FALSE/);
    refused(() => readString(params({ S: 3 }), 'S'), /S must be a string/);
    refused(() => readStrings(params({ L: ['a', 4] }), 'L'), /L\[1\] must be a string/);
    refused(() => readRef(params({ AffectedSystem: 'web' }), 'AffectedSystem'), /AffectedSystem must be a reference/);
    refused(() => readRefs(params({ R: [ref, 'x'] }), 'R'), /R\[1\] must be a reference/);
    refused(() => readInstance(params({ SystemSettings: ref }), 'SystemSettings'), /SystemSettings must be an embedded instance, got a reference/);
    refused(() => readInstances(params({ ResourceSettings: ['x'] }), 'ResourceSettings'), /ResourceSettings\[0\] must be an embedded instance/);
    refused(() => readDateTime(params({ TimeoutPeriod: 10 }), 'TimeoutPeriod'), /TimeoutPeriod must be a datetime/);
  });
});
