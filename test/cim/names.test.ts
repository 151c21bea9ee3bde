import { expect } from 'chai';
import { NameMap, NameSet, cimStatusName, isValidCimName, normalizeNamespace, sameName } from '../../src/cim/index.js';

describe('cim names', () => {
  it('looks names up case-insensitively and keeps their spelling', () => {
    const m = new NameMap<number>();
    m.set('EnabledState', 1);
    expect(m.get('enabledstate')).to.equal(1);
    expect(m.spelling('ENABLEDSTATE')).to.equal('EnabledState');
    m.set('enabledSTATE', 2);
    expect(m.size).to.equal(1);
    expect(m.names()).to.deep.equal(['enabledSTATE']);
    expect(new NameSet(['Name']).has('NAME')).to.equal(true);
    expect(sameName('Xen_ComputerSystem', 'xen_computersystem')).to.equal(true);
  });

  it('normalises namespaces and validates names', () => {
    expect(normalizeNamespace('/root/virt/')).to.equal('root/virt');
    expect(normalizeNamespace('root//virt')).to.equal('root/virt');
    expect(normalizeNamespace('/')).to.equal('');
    expect(normalizeNamespace('')).to.equal('');
    expect(normalizeNamespace('root/virt')).to.equal('root/virt');
    expect(isValidCimName('Xen_ComputerSystem')).to.equal(true);
    expect(isValidCimName('1abc')).to.equal(false);
    expect(isValidCimName('a;b')).to.equal(false);
  });

  it('names every DSP0200 status code', () => {
    expect(cimStatusName(6)).to.equal('CIM_ERR_NOT_FOUND');
    expect(cimStatusName(29)).to.equal('CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED');
    for (let c = 1; c <= 29; c++) expect(cimStatusName(c)).to.match(/^CIM_ERR_[A-Z_]+$/);
  });
});
