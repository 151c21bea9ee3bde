/**
 * Several providers of one class (each profile serves its own association instances): every
 * operation asks all of them, GetInstance the first that has it, methods go to the class's one
 * owner; and the CIMOM handle providers use to list another class's instance names.
 */
import { expect } from 'chai';
import { CIM_ERR, type CimInstanceName, buildInstance } from '../../src/cim/index.js';
import type { InstanceProvider } from '../../src/operations/index.js';
import { MemoryProvider } from './fixtures/provider.js';
import { INTEROP, NS } from './fixtures/schema.js';
import { type World, admin, cn, code, error, run, sys, world } from './fixtures/setup.js';

const names = (list: CimInstanceName[]) => list.map((n) => `${n.className}.${String(n.keyString('Name') ?? n.keyString('InstanceID'))}`).sort();

describe('operations: several providers of one class', () => {
  let w: World;
  let extraSystems: MemoryProvider;
  let extraLinks: MemoryProvider;

  beforeEach(() => {
    w = world();
    extraSystems = new MemoryProvider(['T_VirtualSystem']);
    extraSystems.add(w.cls('T_VirtualSystem'), { CreationClassName: 'T_VirtualSystem', Name: 'vm3', ElementName: 'extra', Vcpus: 1 });
    extraLinks = new MemoryProvider(['T_HostedDependency']);
    extraLinks.add(w.cls('T_HostedDependency'), { Antecedent: sys('T_Host', 'host1'), Dependent: sys('T_VirtualSystem', 'vm3') });
    w.registry.register(NS, extraSystems);
    w.registry.register(NS, extraLinks);
  });
  afterEach(() => w.ops.close());

  it('EnumerateInstances and EnumerateInstanceNames merge every provider of the class', async () => {
    const r = await run(w, 'EnumerateInstanceNames', { ClassName: cn('T_VirtualSystem') });
    if (r.result.kind !== 'instanceNames') throw new Error(r.result.kind);
    expect(names(r.result.names)).to.deep.equal(['T_VirtualSystem.vm1', 'T_VirtualSystem.vm2', 'T_VirtualSystem.vm3']);
    const deep = await run(w, 'EnumerateInstances', { ClassName: cn('T_System') });
    if (deep.result.kind !== 'namedInstances') throw new Error(deep.result.kind);
    expect(deep.result.instances.map((i) => i.get('Name')).sort()).to.deep.equal(['host1', 'vm1', 'vm2', 'vm3']);
  });

  it('GetInstance answers from the provider that has the instance; NOT_FOUND only when none has it', async () => {
    const r = await run(w, 'GetInstance', { InstanceName: sys('T_VirtualSystem', 'vm3') });
    if (r.result.kind !== 'instance') throw new Error(r.result.kind);
    expect(r.result.instance.get('ElementName')).to.equal('extra');
    // The first provider was asked and said NOT_FOUND; the second had it.
    expect(w.systems.calls.filter((c) => c.op === 'getInstance')).to.have.length(1);
    const e = await error(run(w, 'GetInstance', { InstanceName: sys('T_VirtualSystem', 'vm9') }));
    expect(e.code).to.equal(CIM_ERR.NOT_FOUND);
    // The first provider's own description, as when it was the only one.
    expect(e.description).to.equal(`no ${sys('T_VirtualSystem', 'vm9').toString()}`);
  });

  it('References and Associators gather the association instances of every provider', async () => {
    const refs = await run(w, 'ReferenceNames', { ObjectName: sys('T_Host', 'host1'), ResultClass: cn('T_HostedDependency') });
    if (refs.result.kind !== 'objectPaths') throw new Error(refs.result.kind);
    expect(refs.result.names.map((n) => `${n.className}→${String((n.key('Dependent') as CimInstanceName).keyString('Name'))}`).sort())
      .to.deep.equal(['T_HostedDependency→vm1', 'T_HostedDependency→vm3', 'T_SubHosted→vm2']);
    const far = await run(w, 'Associators', { ObjectName: sys('T_Host', 'host1'), AssocClass: cn('T_HostedDependency') });
    if (far.result.kind !== 'objectsWithPath') throw new Error(far.result.kind);
    // vm3 is fetched from the provider that has it.
    expect(far.result.instances.map((i) => i.get('Name')).sort()).to.deep.equal(['vm1', 'vm2', 'vm3']);
  });

  it('a method is invoked on the class owner, whichever provider holds the instance', async () => {
    const r = await w.ops.extrinsic({
      kind: 'extrinsic', method: 'RequestStateChange', target: sys('T_VirtualSystem', 'vm3'),
      params: [{ name: 'RequestedState', value: 2 }], namespace: NS, messageId: '1', protocolVersion: '1.0',
    }, admin);
    expect(r.returnValue).to.equal(4096);
    expect(w.systems.calls.filter((c) => c.op === 'invokeMethod').map((c) => (c.args as { target: CimInstanceName }).target.keyString('Name'))).to.deep.equal(['vm3']);
  });
});

describe('operations: the CIMOM handle of providers', () => {
  /** A provider of T_Profile (root/interop) listing one profile per instance name the handle gives for `className`. */
  const profilesOf = (namespace: string, className: string): InstanceProvider => ({
    classNames: ['T_Profile'],
    async enumerateInstances(ctx) {
      const found = await ctx.cimom.enumerateInstanceNames(namespace, className);
      const cls = ctx.repository.requireClass(ctx.namespace, 'T_Profile');
      return found.map((n) => buildInstance(cls, { InstanceID: `${n.className}.${String(n.keyString('Name'))}`, RegisteredName: n.namespace ?? 'local' }));
    },
  });

  const profiles = async (w: World): Promise<string[]> => {
    const r = await run(w, 'EnumerateInstances', { ClassName: cn('T_Profile') }, admin, INTEROP);
    if (r.result.kind !== 'namedInstances') throw new Error(r.result.kind);
    return r.result.instances.map((i) => `${String(i.get('InstanceID'))}@${String(i.get('RegisteredName'))}`).sort();
  };

  it('lists another class\'s instance names, deep over subclasses, from another namespace (local names)', async () => {
    const w = world();
    try {
      w.registry.register(INTEROP, profilesOf(NS, 'T_System'));
      // The interop namespace's own T_Profile provider contributes its instance too.
      expect(await profiles(w)).to.deep.equal([
        'DMTF:VS@Virtual System', 'T_Host.host1@local', 'T_VirtualSystem.vm1@local', 'T_VirtualSystem.vm2@local',
      ]);
    } finally {
      w.ops.close();
    }
  });

  it('an unknown class is CIM_ERR_INVALID_CLASS', async () => {
    const w = world();
    try {
      w.registry.register(INTEROP, profilesOf(NS, 'T_Nothing'));
      expect(await code(run(w, 'EnumerateInstances', { ClassName: cn('T_Profile') }, admin, INTEROP))).to.equal(CIM_ERR.INVALID_CLASS);
    } finally {
      w.ops.close();
    }
  });
});
