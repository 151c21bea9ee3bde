/**
 * Memory units (docs/units.md): served in KiB (`byte*2^10`, the numbers libvirt-cim's scripts
 * read); every memory unit accepted on input, in any letter case; no unit means MiB.
 */
import { expect } from 'chai';
import { CimError } from '../../../src/cim/index.js';
import { MEMORY_UNITS, memoryOut } from '../../../src/providers/dsp1041-resource-allocation/index.js';
import { toMiB } from '../../../src/providers/dsp1041-resource-allocation/rasd-units.js';

describe('providers/dsp1041: memory units', () => {
  it('serves KiB: byte*2^10', () => {
    expect(MEMORY_UNITS).to.equal('byte*2^10');
    expect(memoryOut(512)).to.equal(524288);
  });

  it('accepts every memory unit in any case, and reads no unit as MiB', () => {
    const cases: [number, string | undefined][] = [
      [512, undefined],
      [524288, 'byte*2^10'], [524288, 'BYTE*2^10'], [524288, 'byte * 2^10'], [524288, 'KiloBytes'], [524288, 'kilobytes'],
      [524288, 'KB'], [524288, 'KiB'],
      [512, 'byte*2^20'], [512, 'MegaBytes'], [512, 'MB'], [512, 'mib'],
      [0.5, 'byte*2^30'], [0.5, 'GigaBytes'], [0.5, 'GiB'],
      [536870912, 'byte'], [536870912, 'Bytes'],
    ];
    for (const [value, unit] of cases) expect(toMiB(value, unit, 'VirtualQuantity'), `${value} ${unit}`).to.equal(512);
  });

  it('refuses what is not a whole number of MiB or not a memory unit, naming the figure', () => {
    expect(() => toMiB(1000, 'byte*2^10', 'VirtualQuantity')).to.throw(CimError, /VirtualQuantity 1000 byte\*2\^10 is not a whole number of MiB/);
    expect(() => toMiB(1, 'furlongs', 'Limit')).to.throw(CimError, /memory unit "furlongs" is not supported/);
  });
});
