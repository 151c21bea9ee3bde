/**
 * Issue 4: every reference an association returns resolves with GetInstance, and every
 * association is navigable both ways with Role/ResultRole filters — for every association
 * class served in root/virt and root/interop, on the demo network plus a job.
 */
import { expect } from 'chai';
import { all, first, instanceName, intrinsic, text, type ClientOptions, type XmlNode } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { CS, call, refKeys, waitJob } from '../support/virt-client.js';

interface Ref {
  namespace: string | undefined;
  className: string;
  keys: Record<string, string>;
}

/** A VALUE.REFERENCE node → class, keys and namespace (when given). */
function readRef(valueRef: XmlNode): Ref {
  const ip = first(valueRef, 'INSTANCEPATH') ?? first(valueRef, 'LOCALINSTANCEPATH');
  const nsNode = ip ? first(first(ip, 'NAMESPACEPATH'), 'LOCALNAMESPACEPATH') ?? first(ip, 'LOCALNAMESPACEPATH') : undefined;
  const namespace = nsNode ? all(nsNode, 'NAMESPACE').map((n) => String(n['@NAME'])).join('/') : undefined;
  const inst = first(ip ?? valueRef, 'INSTANCENAME');
  const keys = Object.fromEntries(all(inst, 'KEYBINDING').map((k) => [String(k['@NAME']), text(first(k, 'KEYVALUE'))]));
  return { namespace, className: String(inst['@CLASSNAME']), keys };
}

const identity = (r: Ref) => `${r.className.toLowerCase()}:${JSON.stringify(Object.entries(r.keys).map(([k, v]) => [k.toLowerCase(), v]).sort())}`;

describe('e2e: association round trips (every class, both directions)', function () {
  this.timeout(180_000);
  let app: AppServer;
  let c: ClientOptions;

  before(async () => {
    app = await startAppServer({ demo: true });
    c = { port: app.port };
    // A finished job, so the job associations have instances too.
    const r = await call(c, CS('vr-core2'), 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>6</VALUE></PARAMVALUE>');
    expect(r.returnValue).to.be.oneOf([0, 4096]);
    if (r.returnValue === 4096) await waitJob({ ...c, namespace: 'root/virt' }, refKeys(r.out.Job)!);
  });
  after(async () => app?.close());

  for (const ns of ['root/virt', 'root/interop']) {
    it(`${ns}: references resolve and associations navigate both ways`, async () => {
      const nc = { ...c, namespace: ns };
      const names = await intrinsic(nc, 'EnumerateClassNames', { DeepInheritance: '<VALUE>TRUE</VALUE>' });
      const classNames = all(first(names.rsp, 'IRETURNVALUE'), 'CLASSNAME').map((n) => String(n['@NAME']));
      let checked = 0;
      const served: string[] = [];
      for (const cls of classNames.filter((n) => n.startsWith('Xen_') || n.startsWith('CIM_'))) {
        // The class's own qualifiers are what is read: no properties (an empty PropertyList of DSP0200 GetClass), far less to parse.
        const gc = await intrinsic(nc, 'GetClass', { ClassName: `<CLASSNAME NAME="${cls}"/>`, LocalOnly: '<VALUE>FALSE</VALUE>', IncludeQualifiers: '<VALUE>TRUE</VALUE>', PropertyList: '<VALUE.ARRAY></VALUE.ARRAY>' });
        const clsNode = first(first(gc.rsp, 'IRETURNVALUE'), 'CLASS');
        const isAssoc = all(clsNode, 'QUALIFIER').some((q) => q['@NAME'] === 'Association' && text(first(q, 'VALUE')).toUpperCase() === 'TRUE');
        if (!isAssoc) continue;
        const ei = await intrinsic(nc, 'EnumerateInstances', { ClassName: `<CLASSNAME NAME="${cls}"/>`, DeepInheritance: '<VALUE>FALSE</VALUE>' });
        expect(ei.error, `${cls}: ${JSON.stringify(ei.error)}`).to.equal(undefined);
        const insts = all(first(ei.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE')
          .map((n) => first(n, 'INSTANCE'))
          .filter((i) => String(i['@CLASSNAME']) === cls);
        if (insts.length) served.push(cls);
        for (const inst of insts.slice(0, 6)) {
          const refs = all(inst, 'PROPERTY.REFERENCE')
            .filter((p) => first(p, 'VALUE.REFERENCE'))
            .map((p) => ({ role: String(p['@NAME']), ref: readRef(first(p, 'VALUE.REFERENCE')) }));
          expect(refs.length, `${cls} has two ends`).to.be.at.least(2);
          for (const { role, ref } of refs) {
            const gi = await intrinsic({ ...c, namespace: ref.namespace ?? ns }, 'GetInstance', { InstanceName: instanceName(ref.className, ref.keys) });
            expect(gi.error, `${cls}.${role} → ${ref.className} ${JSON.stringify(ref.keys)}: ${JSON.stringify(gi.error)}`).to.equal(undefined);
          }
          for (const a of refs) {
            for (const b of refs) {
              if (a === b) continue;
              const an = await intrinsic({ ...c, namespace: a.ref.namespace ?? ns }, 'AssociatorNames', {
                ObjectName: instanceName(a.ref.className, a.ref.keys),
                AssocClass: `<CLASSNAME NAME="${cls}"/>`,
                Role: `<VALUE>${a.role}</VALUE>`,
                ResultRole: `<VALUE>${b.role}</VALUE>`,
              });
              expect(an.error, `${cls} ${a.role}→${b.role}: ${JSON.stringify(an.error)}`).to.equal(undefined);
              const found = all(first(an.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((o) => identity(readRef(o)));
              expect(found, `${cls}: from ${a.role} ${JSON.stringify(a.ref.keys)} to ${b.role}`).to.include(identity(b.ref));
              checked++;
            }
          }
          // The wrong role finds nothing through this association.
          const wrong = await intrinsic({ ...c, namespace: refs[0]!.ref.namespace ?? ns }, 'AssociatorNames', {
            ObjectName: instanceName(refs[0]!.ref.className, refs[0]!.ref.keys),
            AssocClass: `<CLASSNAME NAME="${cls}"/>`,
            Role: '<VALUE>NoSuchRole</VALUE>',
          });
          expect(all(first(wrong.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(0);
        }
      }
      expect(checked, 'some associations were checked').to.be.greaterThan(10);
      const must = ns === 'root/virt'
        ? ['Xen_HostedService', 'Xen_HostedResourcePool', 'Xen_HostedDependency', 'Xen_ElementCapabilities', 'Xen_SettingsDefineState',
          'Xen_VirtualSystemSettingDataComponent', 'Xen_SystemDevice', 'Xen_ElementAllocatedFromPool', 'Xen_ResourceAllocationFromPool',
          'Xen_ElementSettingData', 'Xen_SettingsDefineCapabilities', 'Xen_ElementConformsToProfile']
        : ['Xen_ReferencedProfile', 'Xen_ElementConformsToProfile'];
      expect(served).to.include.members(must);
    });
  }
});
