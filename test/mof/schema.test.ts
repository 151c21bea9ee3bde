/** The real schema in mof/: both entry files compile into a fresh repository, with the shapes providers rely on. */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { Repository } from '../../src/repository/index.js';
import { compileMofFile, type CompileResult } from '../../src/mof/index.js';

const entry = (name: string) => fileURLToPath(new URL(`../../../mof/${name}`, import.meta.url));

async function load(name: string, ns: string): Promise<{ repo: Repository; r: CompileResult; warnings: string[]; ms: number }> {
  const repo = new Repository();
  const warnings: string[] = [];
  const t0 = performance.now();
  const r = await compileMofFile(entry(name), repo, { namespace: ns, onWarning: (w) => warnings.push(w) });
  return { repo, r, warnings, ms: performance.now() - t0 };
}

const sorted = (a: string[]) => [...a].sort();

describe('mof schema (mof/virt.mof, mof/interop.mof)', () => {
  describe('root/virt', () => {
    let repo: Repository;
    const ns = 'root/virt';
    before(async () => {
      const l = await load('virt.mof', ns);
      repo = l.repo;
      expect(l.warnings).to.deep.equal([]);
      expect(l.r.classes).to.be.greaterThan(100);
      expect(l.r.qualifiers).to.be.greaterThan(40);
      console.log(`      (virt.mof: ${l.r.classes} classes, ${l.r.qualifiers} qualifiers in ${l.ms.toFixed(0)} ms)`);
    });

    it('has the core DMTF hierarchy', () => {
      const me = repo.requireClass(ns, 'CIM_ManagedElement');
      expect(me.isAbstract).to.equal(true);
      expect(me.properties.has('InstanceID')).to.equal(true);
      expect(me.keyNames).to.deep.equal([]);
      expect(repo.superclassChain(ns, 'Xen_ComputerSystem')).to.deep.equal([
        'Xen_ComputerSystem', 'CIM_ComputerSystem', 'CIM_System', 'CIM_EnabledLogicalElement',
        'CIM_LogicalElement', 'CIM_ManagedSystemElement', 'CIM_ManagedElement',
      ]);
    });

    it('gives the Xen_ classes the libvirt-cim keys', () => {
      const keys = (c: string) => sorted(repo.requireClass(ns, c).keyNames);
      expect(keys('Xen_ComputerSystem')).to.deep.equal(['CreationClassName', 'Name']);
      expect(keys('Xen_HostSystem')).to.deep.equal(['CreationClassName', 'Name']);
      expect(keys('Xen_VirtualSystemSettingData')).to.deep.equal(['InstanceID']);
      expect(keys('Xen_ProcResourceAllocationSettingData')).to.deep.equal(['InstanceID']);
      expect(keys('Xen_ProcessorPool')).to.deep.equal(['InstanceID']);
      expect(keys('Xen_VirtualSystemManagementService')).to.deep.equal(['CreationClassName', 'Name', 'SystemCreationClassName', 'SystemName']);
      expect(keys('Xen_Processor')).to.deep.equal(['CreationClassName', 'DeviceID', 'SystemCreationClassName', 'SystemName']);
      expect(repo.requireClass(ns, 'Xen_ComputerSystem').properties.get('UUID')).to.include({ type: 'string', classOrigin: 'Xen_ComputerSystem' });
    });

    it('gives the Xen_ classes libvirt-cim\'s value maps, types and method signatures', () => {
      const values = (c: string, p: string) => {
        const q = repo.requireClass(ns, c).properties.get(p)!.qualifiers;
        return Object.fromEntries((q.get('ValueMap')!.value as string[]).map((v, i) => [v, (q.get('Values')!.value as string[])[i]]));
      };
      expect(values('Xen_DiskResourceAllocationSettingData', 'EmulatedType')).to.deep.equal({ 0: 'Disk', 1: 'CDROM', 2: 'floppy', 4: 'lun' });
      expect(values('Xen_VirtualSystemSettingData', 'ClockOffset')).to.deep.equal({ 0: 'UTC', 1: 'Local' });
      expect(repo.requireClass(ns, 'Xen_DiskPool').properties.get('Autostart')!.type).to.equal('uint16');
      expect(repo.requireClass(ns, 'Xen_DiskPoolResourceAllocationSettingData').properties.get('Autostart')!.type).to.equal('uint16');
      const rpcs = repo.requireClass(ns, 'Xen_ResourcePoolConfigurationService').methods;
      expect(rpcs.get('CreateResourceInPool')!.parameters.names()).to.deep.equal(['Settings', 'Pool', 'Resource']);
      expect(rpcs.get('DeleteResourceInPool')!.parameters.get('Resource')).to.include({ type: 'string', embeddedObject: 'instance' });
    });

    it('flags associations and gives them two references to known classes', () => {
      const assocs = repo.associationClasses(ns).map((c) => c.name);
      for (const a of ['CIM_ElementConformsToProfile', 'Xen_HostedDependency', 'Xen_SystemDevice', 'Xen_VirtualSystemSettingDataComponent', 'Xen_ElementAllocatedFromPool', 'Xen_SettingsDefineState']) {
        expect(assocs, a).to.include(a);
      }
      for (const name of assocs) {
        const refs = repo.requireClass(ns, name).referenceProperties;
        expect(refs.length, name).to.be.at.least(2);
        for (const r of refs) expect(repo.getClass(ns, r.referenceClass!), `${name}.${r.name}`).to.not.equal(undefined);
      }
      expect(repo.requireClass(ns, 'Xen_ComputerSystem').isAssociation).to.equal(false);
    });

    it('flags indications', () => {
      for (const c of ['CIM_Indication', 'CIM_InstCreation', 'Xen_ComputerSystemCreatedIndication', 'Xen_ResourceAllocationSettingDataModifiedIndication']) {
        expect(repo.requireClass(ns, c).isIndication, c).to.equal(true);
      }
    });

    it('keeps the CIM_NetworkPipe overrides of DMTF 2.41 (RequestedState is Write, defaults to 5 No Change)', () => {
      const pipe = repo.requireClass(ns, 'CIM_NetworkPipe');
      expect(pipe.qualifiers.get('Version')!.value).to.equal('2.19.0');
      const rs = pipe.properties.get('RequestedState')!;
      expect(rs).to.include({ classOrigin: 'CIM_NetworkPipe', value: 5 });
      expect(rs.qualifiers.get('Write')?.value).to.equal(true);
      expect(rs.qualifiers.get('ValueMap')!.value).to.include('12');
      expect(pipe.properties.get('EnabledState')!.classOrigin).to.equal('CIM_NetworkPipe');
      expect(repo.requireClass(ns, 'Xen_VirtualLink').properties.get('RequestedState')!.value).to.equal(5);
    });

    it('lets one CIM_ElementCapabilities Capabilities describe several elements (DMTF 2.41: no Max on ManagedElement)', () => {
      const ec = repo.requireClass(ns, 'CIM_ElementCapabilities');
      expect(ec.qualifiers.get('Version')!.value).to.equal('2.24.0');
      const me = ec.properties.get('ManagedElement')!;
      expect(me.qualifiers.get('Min')!.value).to.equal(1);
      expect(me.qualifiers.has('Max')).to.equal(false);
      expect(repo.requireClass(ns, 'Xen_ElementCapabilities').properties.get('ManagedElement')!.qualifiers.has('Max')).to.equal(false);
    });

    it('gives DMTF classes the Version of the final 2.41 schema, not the experimental one', () => {
      const versions: Record<string, string> = {
        CIM_LogicalPort: '2.10.0', CIM_StorageExtent: '2.29.0', CIM_ServiceAffectsElement: '2.14.0',
        CIM_SettingsDefineCapabilities: '2.22.1', CIM_VirtualSystemManagementCapabilities: '2.23.0',
      };
      for (const [c, v] of Object.entries(versions)) expect(repo.requireClass(ns, c).qualifiers.get('Version')!.value, c).to.equal(v);
    });

    it('marks the migration methods\' RASD arrays Indexed, as the DMTF experimental class does', () => {
      const svc = repo.requireClass(ns, 'CIM_VirtualSystemMigrationService');
      for (const m of ['MigrateVirtualSystemToHost', 'MigrateVirtualSystemToSystem', 'CheckVirtualSystemIsMigratableToHost', 'CheckVirtualSystemIsMigratableToSystem']) {
        expect(svc.methods.get(m)!.parameters.get('NewResourceSettingData')!.qualifiers.get('ArrayType')?.value, m).to.equal('Indexed');
      }
      // Xen_ overrides the two Check methods: their parameters keep the inherited qualifiers.
      const xen = repo.requireClass(ns, 'Xen_VirtualSystemMigrationService');
      for (const m of ['CheckVirtualSystemIsMigratableToHost', 'CheckVirtualSystemIsMigratableToSystem']) {
        expect(xen.methods.get(m)!.classOrigin).to.equal('Xen_VirtualSystemMigrationService');
        expect(xen.methods.get(m)!.parameters.get('NewResourceSettingData')!.qualifiers.get('ArrayType')?.value, m).to.equal('Indexed');
      }
    });

    it('carries DMTF\'s ModelCorrespondence and MappingStrings, and none DMTF does not have', () => {
      const q = (c: string, p: string, name: string) => repo.requireClass(ns, c).properties.get(p)!.qualifiers.get(name)?.value;
      expect(q('CIM_ResourcePool', 'Capacity', 'ModelCorrespondence')).to.equal(undefined);
      expect(q('CIM_Error', 'CIMStatusCode', 'MappingStrings')).to.deep.equal(['DSP0201.DMTF|ERROR.CODE|2.3', 'DSP0200.DMTF|CIMError|1.3']);
      expect(q('CIM_ManagedSystemElement', 'OperatingStatus', 'ModelCorrespondence')).to.deep.equal(['CIM_EnabledLogicalElement.EnabledState']);
      expect(q('CIM_EnabledLogicalElement', 'TransitioningToState', 'ModelCorrespondence')).to.include('CIM_EnabledLogicalElement.RequestedState');
    });

    it('declares the DSP1042/DSP1057 method signatures', () => {
      const define = repo.requireClass(ns, 'Xen_VirtualSystemManagementService').methods.get('DefineSystem')!;
      expect(define.returnType).to.equal('uint32');
      const p = define.parameters;
      expect(p.get('SystemSettings')).to.include({ type: 'string', embeddedObject: 'instance', isIn: true });
      expect(p.get('ResourceSettings')).to.include({ type: 'string', isArray: true, embeddedObject: 'instance' });
      expect(p.get('ResultingSystem')).to.include({ type: 'reference', referenceClass: 'CIM_ComputerSystem', isOut: true, isIn: false });
      expect(p.get('Job')).to.include({ type: 'reference', referenceClass: 'CIM_ConcreteJob', isOut: true });
      const rsc = repo.requireClass(ns, 'Xen_ComputerSystem').methods.get('RequestStateChange')!;
      expect(rsc.parameters.names()).to.deep.equal(['RequestedState', 'Job', 'TimeoutPeriod']);
      expect(rsc.parameters.get('RequestedState')!.type).to.equal('uint16');
    });
  });

  describe('root/interop', () => {
    let repo: Repository;
    const ns = 'root/interop';
    before(async () => {
      const l = await load('interop.mof', ns);
      repo = l.repo;
      expect(l.warnings).to.deep.equal([]);
      console.log(`      (interop.mof: ${l.r.classes} classes in ${l.ms.toFixed(0)} ms)`);
    });

    it('declares CIM_AlertIndication as DMTF 2.41 does (every property, the ProbableCause and PerceivedSeverity value maps)', () => {
      const alert = repo.requireClass(ns, 'CIM_AlertIndication');
      expect(alert.qualifiers.get('Version')!.value).to.equal('2.27.0');
      expect(repo.requireClass(ns, 'CIM_ProcessIndication').qualifiers.get('Version')!.value).to.equal('2.29.0');
      for (const p of ['OtherAlertingElementFormat', 'Trending', 'RecommendedActions', 'ProviderName', 'MessageArguments']) {
        expect(alert.properties.get(p)?.classOrigin, p).to.equal('CIM_AlertIndication');
      }
      const cause = alert.properties.get('ProbableCause')!;
      const map = cause.qualifiers.get('ValueMap')!.value as string[];
      const values = cause.qualifiers.get('Values')!.value as string[];
      expect(map).to.have.length(131);
      expect(values).to.have.length(131);
      expect(values[map.indexOf('1')]).to.equal('Other');
      const sev = alert.properties.get('PerceivedSeverity')!;
      expect(sev.classOrigin).to.equal('CIM_AlertIndication');
      expect(sev.qualifiers.get('Required')?.value).to.equal(true);
      expect(sev.qualifiers.get('ValueMap')!.value).to.deep.equal(['0', '1', '2', '3', '4', '5', '6', '7']);
    });

    it('has the profile registration and indication classes', () => {
      expect(repo.requireClass(ns, 'Xen_RegisteredProfile').keyNames).to.deep.equal(['InstanceID']);
      expect(repo.requireClass(ns, 'Xen_ElementConformsToProfile').isAssociation).to.equal(true);
      expect(repo.requireClass(ns, 'Xen_ReferencedProfile').isAssociation).to.equal(true);
      expect(repo.requireClass(ns, 'CIM_IndicationSubscription').isAssociation).to.equal(true);
      expect(sorted(repo.requireClass(ns, 'CIM_IndicationSubscription').keyNames)).to.deep.equal(['Filter', 'Handler']);
      expect(repo.requireClass(ns, 'CIM_ObjectManager').keyNames).to.have.length(4);
      expect(sorted(repo.requireClass(ns, 'Xen_ComputerSystem').keyNames)).to.deep.equal(['CreationClassName', 'Name']);
      expect(repo.getClass(ns, 'Xen_VirtualSystemManagementService')).to.equal(undefined);
    });
  });
});
