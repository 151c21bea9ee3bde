import { expect } from 'chai';
import { Repository } from '../../src/repository/index.js';
import { compileMofText } from '../../src/mof/index.js';
import { QUALIFIERS } from './helpers.js';

/** A synthetic schema shaped like the DMTF one: a class tree with long descriptions and ValueMaps. */
export function syntheticSchema(classCount: number): string {
  const parts = [QUALIFIERS];
  const desc = 'A property description of typical DMTF length, long enough to dominate the file size as in the real schema. '.repeat(3);
  for (let i = 0; i < classCount; i++) {
    const sup = i === 0 ? '' : ` : P_Class${Math.floor((i - 1) / 3)}`;
    parts.push(`// Class ${i}\n   [Version ("2.${i}.0"), Description (\n      "${desc}"\n      "${desc}")]\nclass P_Class${i}${sup} {\n`);
    if (i === 0) parts.push(`      [Key, Description ("key")]\n   string InstanceID;\n`);
    for (let j = 0; j < 12; j++) {
      parts.push(`      [Description ("${desc}"),\n       ValueMap { "0", "1", "2", "3", "4", "..", "32768..65535" },\n       Values { "Unknown", "Other", "Enabled", "Disabled", "Shutting Down", "DMTF Reserved", "Vendor Reserved" }]\n   uint16 Prop${i}_${j} = ${j};\n`);
    }
    parts.push(`      [Description ("${desc}")]\n   uint32 Method${i}(\n         [IN, Description ("p")]\n      uint16 RequestedState,\n         [IN (false), OUT]\n      P_Class0 REF Job);\n};\n\n`);
  }
  return parts.join('');
}

describe('mof performance smoke', () => {
  it('compiles a ~3 MB synthetic schema of 400 classes', async () => {
    const text = syntheticSchema(400);
    const repo = new Repository();
    const t0 = performance.now();
    const r = await compileMofText(text, 'synthetic.mof', repo, { namespace: 'root/perf' });
    const ms = performance.now() - t0;
    expect(r.classes).to.equal(400);
    expect(repo.requireClass('root/perf', 'P_Class399').properties.size).to.be.greaterThan(12 * 5);
    // Reported, not asserted: timing depends on the machine.
    console.log(`      (${(text.length / 1e6).toFixed(2)} MB, ${r.classes} classes in ${ms.toFixed(0)} ms)`);
  });
});
