/**
 * What every profile serves, checked without a test of its own: each registered profile
 * (profiles/*.json) against the running server (its central and scoping classes exist where it
 * says, ElementConformsToProfile reaches exactly its central instances, each of its `mandates`
 * holds: profiles/README.md), and every association instance, of every profile and both
 * namespaces, names instances that exist (each reference fetched with GetInstance through
 * operations/, whichever profile serves the far end).
 */
import { expect } from 'chai';
import { CIM_ERR, CimError, type CimInstance, CimInstanceName, valuesEqual } from '../../src/cim/index.js';
import type { Mandate, ProfileRegistration } from '../../src/providers/index.js';
import { INTEROP_NS, VIRT_NS } from '../../src/providers/shared/naming.js';
import { type World, associatorNames, cn, enumerateVia, inst, loadProfiles, runTo, seed, world } from './fixture.js';

const label = (m: Mandate): string => JSON.stringify(m);

/** Errors that mean "not implemented"; anything else is the method answering for itself. */
const NOT_IMPLEMENTED: number[] = [CIM_ERR.METHOD_NOT_AVAILABLE, CIM_ERR.METHOD_NOT_FOUND, CIM_ERR.NOT_SUPPORTED];

function split(dotted: string): [string, string] {
  const i = dotted.indexOf('.');
  return [dotted.slice(0, i), dotted.slice(i + 1)];
}

async function check(w: World, p: ProfileRegistration, m: Mandate): Promise<void> {
  const ns = p.namespace;
  if ('class' in m) {
    const all = await enumerateVia(w, m.class, ns);
    const fits = (i: CimInstance) =>
      Object.entries(m.where ?? {}).every(([k, v]) => valuesEqual(i.get(k) ?? null, v))
      && Object.entries(m.matching ?? {}).every(([k, re]) => typeof i.get(k) === 'string' && new RegExp(re).test(i.get(k) as string));
    expect(all.filter(fits).length, `instances of ${m.class} in ${ns}`).to.be.at.least(m.min ?? 1);
  } else if ('property' in m) {
    const [cls, prop] = split(m.property);
    const all = await enumerateVia(w, cls, ns);
    expect(all, `instances of ${cls}`).to.not.be.empty;
    for (const i of all) expect(i.get(prop), `${prop} of ${i.path!.toString()}`).to.not.equal(null);
  } else if ('method' in m) {
    const [cls, method] = split(m.method);
    const r = await w.intrinsic('EnumerateInstanceNames', { ClassName: cn(cls) }, ns);
    if (r.kind !== 'instanceNames') throw new Error(r.kind);
    expect(r.names, `an instance of ${cls} to call ${method} on`).to.not.be.empty;
    // Without its parameters the method must answer for itself, and change nothing.
    const outcome = await w.extrinsic(r.names[0]!.local() as CimInstanceName, method, [], ns).catch((e: unknown) => e);
    if (outcome instanceof CimError) expect(NOT_IMPLEMENTED, `${m.method}: ${outcome.message}`).to.not.include(outcome.code);
    else expect(outcome).to.have.property('returnValue');
  } else {
    const [cls, prop] = split(m.schema);
    const r = await w.intrinsic('GetClass', { ClassName: cn(cls), LocalOnly: false, IncludeQualifiers: true }, ns);
    if (r.kind !== 'class') throw new Error(r.kind);
    const decl = r.cls.properties.get(prop);
    expect(decl, m.schema).to.not.equal(undefined);
    for (const q of m.qualifiers) expect(decl!.qualifiers.has(q), `${m.schema} qualifier ${q}`).to.equal(true);
  }
}

describe('providers: what every profile serves', function () {
  this.timeout(30_000);
  const profiles = loadProfiles();
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
    // A job on a system, as DSP1103's classes need one.
    await runTo(w.virt, 'db', 'running');
    // A virtual network with a link, as the network profile's classes need one.
    await w.virt.networks.define({ name: 'net', members: [{ system: 'web' }, { system: 'db' }], links: [{ name: 'l1', ends: [{ system: 'web' }, { system: 'db' }] }] });
    // Two snapshots of a system (a parent and its child), as the snapshot associations need them.
    for (let i = 0; i < 2; i++) await (await w.virt.snapshots!.create('db', 'full')).job.done;
    // A subscription, as DSP1054's association needs one.
    const created = async (i: CimInstance): Promise<CimInstanceName> => {
      const r = await w.intrinsic('CreateInstance', { NewInstance: i }, INTEROP_NS);
      if (r.kind !== 'instanceName') throw new Error(r.kind);
      return r.name;
    };
    const Filter = await created(inst('CIM_IndicationFilter', { Name: 'all', Query: 'SELECT * FROM CIM_InstModification', QueryLanguage: 'WQL' }));
    const Handler = await created(inst('CIM_ListenerDestinationCIMXML', { Name: 'here', Destination: 'http://127.0.0.1:5990' }));
    await created(inst('CIM_IndicationSubscription', { Filter, Handler }));
  });
  after(() => w.close());

  it('reads every profile with its mandates', () => {
    expect(profiles.length).to.be.at.least(16);
    for (const p of profiles) expect(p.mandates ?? [], p.instanceId).to.not.be.empty;
    // CIM_RegisteredSpecification: OtherRegisteredOrganization describes the organization when RegisteredOrganization is 1 (Other).
    for (const p of profiles) if (p.registeredOrganization === 1) expect(p.otherRegisteredOrganization, p.instanceId).to.be.a('string').that.is.not.empty;
  });

  for (const p of profiles) {
    describe(p.instanceId, () => {
      it(`central class ${p.centralClass ?? '(none)'} and scoping class exist in ${p.namespace}; ElementConformsToProfile reaches exactly the central instances`, async () => {
        for (const cls of [p.centralClass, p.scopingClass]) if (cls) expect(w.repository.getClass(p.namespace, cls), cls).to.not.equal(undefined);
        const profile = w.deps.profiles.find((q) => q.instanceId === p.instanceId)!;
        const conforming = await associatorNames(w, (await profileName(w, profile)), INTEROP_NS, { AssocClass: 'CIM_ElementConformsToProfile', ResultRole: 'ManagedElement' });
        let central: string[] = [];
        if (p.centralClass && p.methodology !== 'scoping') {
          const r = await w.intrinsic('EnumerateInstanceNames', { ClassName: cn(p.centralClass) }, p.namespace);
          if (r.kind !== 'instanceNames') throw new Error(r.kind);
          central = r.names.map((n) => n.identity()).sort();
          expect(central, 'central instances').to.not.be.empty;
        }
        expect(conforming.map((n) => n.identity()).sort()).to.deep.equal(central);
      });
      for (const m of p.mandates ?? []) it(`mandates ${label(m)}`, () => check(w, p, m));
    });
  }

  for (const ns of [VIRT_NS, INTEROP_NS]) {
    it(`in ${ns}: every reference of every association instance names an instance that exists`, async () => {
      const served = w.repository.associationClasses(ns).filter((c) => w.registry.providersOf(ns, c.name));
      expect(served.length, 'association classes served').to.be.at.least(ns === VIRT_NS ? 15 : 6);
      let checked = 0;
      for (const cls of served) {
        const list = await w.enumerate(cls.name, ns);
        expect(list, `${cls.name} has instances`).to.not.be.empty;
        for (const a of list) {
          for (const [, prop] of a.properties) {
            const ref = prop.value;
            if (!(ref instanceof CimInstanceName)) continue;
            const inst = await w.get(ref.local(), ref.namespace ?? ns);
            expect(inst.path!.identity(), `${cls.name} → ${ref.toString()}`).to.equal(ref.identity());
            checked++;
          }
        }
      }
      expect(checked).to.be.at.least(served.length * 2);
    });
  }

});

async function profileName(w: World, p: ProfileRegistration): Promise<CimInstanceName> {
  const [found] = (await enumerateVia(w, 'Xen_RegisteredProfile', INTEROP_NS)).filter((i) => i.get('InstanceID') === p.instanceId);
  return found!.path!;
}
