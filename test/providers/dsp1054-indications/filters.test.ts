import { expect } from 'chai';
import { CimError, type CimInstance } from '../../../src/cim/index.js';
import { FilterMatcher } from '../../../src/providers/dsp1054-indications/index.js';
import { type World, inst, world } from '../fixture.js';

/** A CIM_InstModification of a Xen_ComputerSystem going from one EnabledState to another. */
function modification(from: number, to: number, name = 'router', cls = 'Xen_ComputerSystem'): CimInstance {
  return inst('CIM_InstModification', {
    IndicationIdentifier: 'h:1', IndicationFilterName: 'f', IndicationTime: '20261206054000.000000+000', PerceivedSeverity: 2,
    SourceInstance: inst(cls, { Name: name, EnabledState: to, ElementName: name }),
    PreviousInstance: inst(cls, { Name: name, EnabledState: from, ElementName: name }),
  });
}

describe('DSP1054 indications: filter queries evaluated against each indication', function () {
  this.timeout(20_000);
  let w: World;
  let m: FilterMatcher;
  before(async () => {
    w = await world();
    m = new FilterMatcher(w.repository);
  });
  after(() => w.close());

  const selects = (query: string, ind: CimInstance, language = 'WQL'): boolean => m.select(m.compile(language, query), ind) !== undefined;

  it('evaluates conditions on the source instance and the previous instance', () => {
    const q = 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSystem AND SourceInstance.EnabledState = 3';
    expect(selects(q, modification(2, 3))).to.equal(true);
    expect(selects(q, modification(2, 9))).to.equal(false);
    expect(selects(q, modification(2, 3, 'pool', 'Xen_MemoryPool'))).to.equal(false);
    const changed = 'SELECT * FROM CIM_InstIndication WHERE PreviousInstance.EnabledState <> SourceInstance.EnabledState';
    // PreviousInstance is not a property of CIM_InstIndication: the query is refused, not silently false.
    expect(() => m.compile('WQL', changed)).to.throw(CimError).with.property('description').that.matches(/has no property "PreviousInstance"/);
    const changedMod = changed.replace('CIM_InstIndication', 'CIM_InstModification');
    expect(selects(changedMod, modification(2, 9))).to.equal(true);
    expect(selects(changedMod, modification(2, 2))).to.equal(false);
    expect(selects("SELECT * FROM CIM_InstModification WHERE SourceInstance.Name LIKE 'rout%' AND NOT SourceInstance.EnabledState = 2", modification(2, 9))).to.equal(true);
    // A DMTF:CQL filter's LIKE is DSP0202's pattern: `.*`, not `%`.
    expect(selects("SELECT * FROM CIM_InstModification WHERE SourceInstance.Name LIKE 'rout.*'", modification(2, 9), 'DMTF:CQL')).to.equal(true);
    expect(selects("SELECT * FROM CIM_InstModification WHERE SourceInstance.Name LIKE 'rout%'", modification(2, 9), 'DMTF:CQL')).to.equal(false);
  });

  it('reads DMTF:CQL class-scoped paths (SourceInstance.Class::Prop), NULL when the class does not match', () => {
    const q = 'SELECT * FROM CIM_InstModification WHERE SourceInstance.CIM_ComputerSystem::EnabledState = 9';
    expect(selects(q, modification(2, 9), 'DMTF:CQL')).to.equal(true);
    expect(selects(q, modification(2, 9, 'p', 'Xen_MemoryPool'), 'DMTF:CQL')).to.equal(false);
    expect(selects('SELECT * FROM CIM_InstModification WHERE SourceInstance.CIM_ComputerSystem::EnabledState IS NULL', modification(2, 9, 'p', 'Xen_MemoryPool'), 'DMTF:CQL')).to.equal(true);
  });

  it('selects by the FROM class and its subclasses only', () => {
    expect(selects('SELECT * FROM CIM_InstIndication', modification(2, 9))).to.equal(true);
    expect(selects('SELECT * FROM CIM_Indication', modification(2, 9))).to.equal(true);
    expect(selects('SELECT * FROM CIM_InstCreation', modification(2, 9))).to.equal(false);
  });

  it('projects the SELECT list: the indication\'s own properties, and through SourceInstance only what is named', () => {
    const q = m.compile('WQL', 'SELECT SourceInstance.Name, SourceInstance.EnabledState, IndicationTime FROM CIM_InstModification');
    const out = m.select(q, modification(2, 9))!;
    expect(out.properties.names().sort()).to.deep.equal(['IndicationFilterName', 'IndicationIdentifier', 'IndicationTime', 'SourceInstance']);
    expect((out.get('SourceInstance') as CimInstance).properties.names()).to.deep.equal(['Name', 'EnabledState']);
    const whole = m.select(m.compile('WQL', 'SELECT SourceInstance FROM CIM_InstModification'), modification(2, 9))!;
    expect((whole.get('SourceInstance') as CimInstance).get('ElementName')).to.equal('router');
    expect(whole.properties.has('PreviousInstance')).to.equal(false);
  });

  it('refuses what cannot be evaluated with CIM_ERR_INVALID_PARAMETER naming the problem', () => {
    const refused = (language: string, query: string, text: RegExp): void => {
      let err: unknown;
      try {
        m.compile(language, query);
      } catch (e) {
        err = e;
      }
      expect(err, query).to.be.instanceOf(CimError);
      expect((err as CimError).statusName).to.equal('CIM_ERR_INVALID_PARAMETER');
      expect((err as CimError).description).to.match(text);
    };
    refused('WQL', 'SELECT * FROM CIM_InstModification WHERE SourceInstance.EnabledState =', /position \d+: .*end of the query/);
    refused('WQL', 'DELETE FROM CIM_InstCreation', /expected SELECT/);
    refused('WQL', 'SELECT * FROM No_Such_Class', /class No_Such_Class is not known/);
    refused('WQL', 'SELECT * FROM CIM_IndicationFilter', /not an indication class/);
    refused('WQL', 'SELECT * FROM CIM_InstCreation WHERE Colour = 1', /has no property "Colour"/);
    refused('XPath', 'SELECT * FROM CIM_InstCreation', /QueryLanguage "XPath" is not supported/);
    // what one filter may cost: it is evaluated against every indication, for every subscription
    const conditions = (n: number): string => `SELECT * FROM CIM_InstModification WHERE ${Array.from({ length: n }, (_, i) => `SourceInstance.Name = 'vm${i}'`).join(' OR ')}`;
    expect(m.compile('WQL', conditions(64)).from).to.equal('CIM_InstModification');
    refused('WQL', conditions(65), /an indication filter has at most 64 conditions, this one 65/);
    const like = (n: number): string => `SELECT * FROM CIM_InstModification WHERE SourceInstanceModelPath LIKE '%${'_'.repeat(n - 2)}z'`;
    expect(m.compile('WQL', like(128)).from).to.equal('CIM_InstModification');
    refused('WQL', like(129), /LIKE patterns of an indication filter hold at most 128 characters together, these 129/);
    refused('WQL', `${like(100)} OR SourceInstance.Name LIKE '${'x'.repeat(29)}'`, /these 129/);
    // a class tested for that does not exist: the filter was accepted and never selected anything
    refused('WQL', 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSytem', /class Xen_ComputerSytem is not known in root\/virt or root\/interop/);
    refused('WQL', 'SELECT * FROM CIM_InstCreation WHERE SourceInstance.Name = \'a\' OR NOT SourceInstance ISA No_Such', /class No_Such is not known/);
    refused('DMTF:CQL', 'SELECT * FROM CIM_InstModification WHERE SourceInstance.Xen_Nothing::EnabledState = 9', /class Xen_Nothing is not known/);
    // classes of either namespace are known: the sources in root/virt, the indications in root/interop
    expect(m.compile('WQL', 'SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA Xen_ConcreteJob OR SourceInstance ISA CIM_IndicationFilter').from).to.equal('CIM_InstCreation');
  });
});
