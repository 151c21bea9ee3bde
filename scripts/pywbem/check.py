#!/usr/bin/env python3
"""Drive a running xen-wbem server with the real pywbem client and listener.

pywbem's CIM-XML parser is strict: whatever it rejects, or reads with another type than the
schema's, is a server bug. This script runs every operation a pywbem user would, against the
classes the server serves, and says which step failed. It is our own code; pywbem itself comes
from PYTHONPATH (see README.md next to this file).

    python3 scripts/pywbem/check.py --url http://127.0.0.1:5988 [--user admin --password secret]
        [--sections sweep,methods,indications,migration] [--peer-url URL --peer-name NAME]
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import traceback
import warnings

import pywbem
from pywbem import CIMInstance, CIMInstanceName, Uint16, Uint32, Uint64, Error, CIMError

NAMESPACES = ('root/virt', 'root/interop')


class Checker:
    def __init__(self, args):
        self.args = args
        creds = (args.user, args.password) if args.user else None
        self.conn = pywbem.WBEMConnection(args.url, creds, default_namespace='root/virt',
                                          timeout=60)
        self.failures = []
        self.passed = 0

    # -- bookkeeping --------------------------------------------------------------------------
    def step(self, name, fn, *a, **kw):
        """Runs one step; a failure is recorded with its traceback and the run goes on."""
        try:
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter('always')
                result = fn(*a, **kw)
            # pywbem warns where it tolerates a server's deviation from DSP0201: a failure here.
            tolerated = [w for w in seen if issubclass(w.category, pywbem.Warning)]
            if tolerated:
                raise AssertionError('; '.join(str(w.message) for w in tolerated))
            self.passed += 1
            if self.args.verbose:
                print(f'ok   {name}')
            return result
        except Exception as exc:  # pylint: disable=broad-except
            self.failures.append((name, exc))
            print(f'FAIL {name}: {type(exc).__name__}: {exc}')
            if self.args.verbose:
                traceback.print_exc()
            return None

    def expect(self, cond, what):
        if not cond:
            raise AssertionError(what)

    # -- typing: what pywbem parsed against what the class declares ---------------------------
    def check_typed(self, inst, cls, where):
        """Each property has the class's CIM type and array-ness, and each reference is a path."""
        for name, prop in inst.properties.items():
            decl = cls.properties.get(name)
            self.expect(decl is not None, f'{where}: property {name} is not in class {cls.classname}')
            self.expect(prop.type == decl.type,
                        f'{where}: {name} has type {prop.type}, the class says {decl.type}')
            self.expect(bool(prop.is_array) == bool(decl.is_array),
                        f'{where}: {name} is_array={prop.is_array}, the class says {decl.is_array}')
            if prop.value is not None and decl.type == 'reference':
                self.expect(isinstance(prop.value, CIMInstanceName),
                            f'{where}: {name} is no instance path')
            embedded = ('EmbeddedInstance' in decl.qualifiers
                        or 'EmbeddedObject' in decl.qualifiers)
            if prop.value is not None and embedded:
                # DSP0201: the EmbeddedObject attribute makes pywbem parse the value as an
                # instance; without it the client sees a string.
                values = prop.value if prop.is_array else [prop.value]
                self.expect(all(isinstance(v, (CIMInstance, pywbem.CIMClass)) for v in values),
                            f'{where}: embedded {name} arrives as '
                            f'{[type(v).__name__ for v in values]}')
        if inst.path is not None:
            self.check_path(inst.path, cls, where)
            for key, val in inst.path.keybindings.items():
                if key in inst.properties and inst.properties[key].value is not None:
                    pval = inst.properties[key].value
                    same = (pval == val if not isinstance(val, CIMInstanceName) else
                            pval.keybindings == val.keybindings and pval.classname.lower()
                            == val.classname.lower())
                    self.expect(same, f'{where}: key {key} is {val!r} in the path, '
                                f'{pval!r} in the instance')

    def check_path(self, path, cls, where):
        keys = {n for n, p in cls.properties.items() if 'key' in p.qualifiers
                and p.qualifiers['key'].value}
        got = set(path.keybindings.keys())
        self.expect({k.lower() for k in got} == {k.lower() for k in keys},
                    f'{where}: path keys {sorted(got)}, the class keys {sorted(keys)}')
        for name, val in path.keybindings.items():
            decl = cls.properties[name]
            if decl.type == 'reference':
                self.expect(isinstance(val, CIMInstanceName), f'{where}: key {name} is no path')
            elif decl.type == 'string':
                self.expect(isinstance(val, str), f'{where}: key {name} is {type(val).__name__}')
            elif decl.type == 'boolean':
                self.expect(isinstance(val, bool), f'{where}: key {name} is {type(val).__name__}')
            elif decl.type.startswith(('uint', 'sint')):
                self.expect(isinstance(val, int) and not isinstance(val, bool),
                            f'{where}: key {name} is {type(val).__name__}')

    def central_instances(self, server, name, central, scoping, spath):
        profiles = server.get_selected_profiles('DMTF', name)
        self.expect(profiles, f'profile {name} not registered')
        found = server.get_central_instances(profiles[0].path, central, scoping, spath)
        want = self.conn.EnumerateInstanceNames(
            'Xen_HostSystem' if central == 'CIM_System' else 'Xen_ComputerSystem')
        key = lambda p: (p.classname.lower(), p.keybindings['Name'])
        self.expect(sorted(map(key, found)) == sorted(map(key, want)),
                    f'central instances of {name}: {found}')
        return found

    def get_class(self, ns, name, cache):
        key = (ns, name.lower())
        if key not in cache:
            cache[key] = self.conn.GetClass(name, namespace=ns, LocalOnly=False,
                                            IncludeQualifiers=True, IncludeClassOrigin=True)
        return cache[key]

    # -- section: sweep ------------------------------------------------------------------------
    def sweep(self):
        conn = self.conn
        server = self.step('WBEMServer: interop namespace and profiles', pywbem.WBEMServer, conn)
        if server is not None:
            self.step('WBEMServer.interop_ns is root/interop',
                      lambda: self.expect(server.interop_ns == 'root/interop', server.interop_ns))
            self.step('WBEMServer.profiles', lambda: self.expect(server.profiles, 'no profiles'))
            self.step('WBEMServer.cimom_inst', lambda: server.cimom_inst)
            self.step('WBEMServer.namespaces', lambda: self.expect(
                set(NAMESPACES) <= set(server.namespaces), server.namespaces))
            # DSP1033 central class methodology: the host for the autonomous System
            # Virtualization profile, the virtual systems (scoped by the host) for Virtual System.
            for name, central, scoping, spath in (
                    ('System Virtualization', 'CIM_System', None, None),
                    ('Virtual System', 'CIM_ComputerSystem', 'CIM_System',
                     ['CIM_HostedDependency'])):
                self.step(f'WBEMServer.get_central_instances({name})',
                          self.central_instances, server, name, central, scoping, spath)
        classes = {}
        for ns in NAMESPACES:
            names = self.step(f'EnumerateClassNames {ns}', conn.EnumerateClassNames,
                              namespace=ns, DeepInheritance=True) or []
            full = self.step(f'EnumerateClasses {ns}', conn.EnumerateClasses, namespace=ns,
                             DeepInheritance=True, LocalOnly=False, IncludeQualifiers=True,
                             IncludeClassOrigin=True) or []
            self.step(f'EnumerateClasses {ns} matches EnumerateClassNames',
                      lambda: self.expect(sorted(c.classname for c in full) == sorted(names),
                                          'differ'))
            for name in names:
                self.step(f'GetClass {ns}:{name}', self.get_class, ns, name, classes)
            for name in names:
                self.sweep_class(ns, name, classes)

    def sweep_class(self, ns, name, classes):
        conn = self.conn
        if (ns, name.lower()) not in classes:
            return
        paths = self.step(f'EnumerateInstanceNames {ns}:{name}', conn.EnumerateInstanceNames,
                          name, namespace=ns)
        # Only the instances of exactly this class: subclasses are swept in their own turn.
        own = [p for p in paths or [] if p.classname.lower() == name.lower()]
        if not own:
            return
        cls = classes[(ns, name.lower())]
        insts = self.step(f'EnumerateInstances {ns}:{name}', conn.EnumerateInstances, name,
                          namespace=ns, DeepInheritance=True, IncludeClassOrigin=True) or []
        for inst in insts:
            self.step(f'EnumerateInstances {ns}:{name} types of {inst.path}',
                      lambda i=inst: self.check_typed(
                          i, self.get_class(ns, i.classname, classes), str(i.path)))
        self.step(f'EnumerateInstances {ns}:{name} count', lambda: self.expect(
            len(insts) == len(paths), f'{len(insts)} instances, {len(paths)} names'))
        self.step(f'OpenEnumerateInstances+PullInstancesWithPath {ns}:{name}',
                  self.pull_instances, ns, name, len(paths))
        self.step(f'OpenEnumerateInstancePaths+PullInstancePaths {ns}:{name}',
                  self.pull_paths, ns, name, len(paths))
        self.step(f'ExecQuery WQL {ns}:{name}', lambda: self.expect(
            len(conn.ExecQuery('WQL', f'SELECT * FROM {name}', namespace=ns)) == len(paths),
            'count differs'))
        self.step(f'OpenQueryInstances DMTF:CQL {ns}:{name}', lambda: self.expect(
            len(list(conn.IterQueryInstances('DMTF:CQL', f'SELECT * FROM {name}', namespace=ns,
                                             MaxObjectCount=3).generator)) == len(paths),
            'count differs'))
        for path in own:
            self.sweep_instance(ns, path, cls, classes)

    def pull_instances(self, ns, name, expected):
        r = self.conn.OpenEnumerateInstances(name, namespace=ns, MaxObjectCount=2)
        got = list(r.instances)
        while not r.eos:
            r = self.conn.PullInstancesWithPath(r.context, MaxObjectCount=2)
            got.extend(r.instances)
        self.expect(len(got) == expected, f'{len(got)} pulled, {expected} enumerated')
        for inst in got:
            self.expect(inst.path is not None and inst.path.namespace == ns,
                        f'pulled instance without its path: {inst.path}')

    def pull_paths(self, ns, name, expected):
        r = self.conn.OpenEnumerateInstancePaths(name, namespace=ns, MaxObjectCount=2)
        got = list(r.paths)
        while not r.eos:
            r = self.conn.PullInstancePaths(r.context, MaxObjectCount=2)
            got.extend(r.paths)
        self.expect(len(got) == expected, f'{len(got)} pulled, {expected} enumerated')

    def sweep_instance(self, ns, path, cls, classes):
        conn = self.conn
        inst = self.step(f'GetInstance {path}', conn.GetInstance, path, IncludeQualifiers=False,
                         IncludeClassOrigin=True)
        if inst is not None:
            self.step(f'GetInstance types {path}', self.check_typed, inst, cls, str(path))
        is_assoc = 'association' in cls.qualifiers and cls.qualifiers['association'].value
        if is_assoc:
            return
        anames = self.step(f'AssociatorNames {path}', conn.AssociatorNames, path) or []
        assocs = self.step(f'Associators {path}', conn.Associators, path,
                           IncludeClassOrigin=True) or []
        rnames = self.step(f'ReferenceNames {path}', conn.ReferenceNames, path) or []
        refs = self.step(f'References {path}', conn.References, path) or []
        self.step(f'Associators/AssociatorNames agree {path}', lambda: self.expect(
            len(anames) == len(assocs), f'{len(assocs)} vs {len(anames)}'))
        self.step(f'References/ReferenceNames agree {path}', lambda: self.expect(
            len(rnames) == len(refs), f'{len(refs)} vs {len(rnames)}'))
        for other in assocs:
            self.step(f'Associators types {path} -> {other.path}', lambda o=other: self.check_typed(
                o, self.get_class(o.path.namespace or ns, o.classname, classes), str(o.path)))
        for ref in refs:
            self.step(f'References types {path} -> {ref.path}', lambda r=ref: self.check_typed(
                r, self.get_class(r.path.namespace or ns, r.classname, classes), str(r.path)))
        self.step(f'OpenAssociatorInstances {path}', lambda: self.expect(
            len(list(conn.IterAssociatorInstances(path, MaxObjectCount=2))) == len(assocs),
            'count differs'))
        self.step(f'OpenReferenceInstancePaths {path}', lambda: self.expect(
            len(list(conn.IterReferenceInstancePaths(path, MaxObjectCount=2))) == len(rnames),
            'count differs'))


    # -- extrinsic methods ---------------------------------------------------------------------
    def invoke(self, path, method, **params):
        """InvokeMethod; the return value and every OUT parameter have their declared types."""
        cls = self.conn.GetClass(path.classname, namespace=path.namespace or 'root/virt',
                                 LocalOnly=False, IncludeQualifiers=True)
        decl = cls.methods.get(method)
        self.expect(decl is not None, f'{path.classname} has no method {method}')
        rc, out = self.conn.InvokeMethod(method, path, **params)
        self.expect(pywbem.cimtype(rc) == decl.return_type,
                    f'{method} returned a {pywbem.cimtype(rc)}, declared {decl.return_type}')
        for name, val in out.items():
            pdecl = decl.parameters.get(name)
            self.expect(pdecl is not None, f'{method}: OUT parameter {name} is not declared')
            if val is None:
                continue
            values = val if isinstance(val, list) else [val]
            self.expect(isinstance(val, list) == bool(pdecl.is_array),
                        f'{method}: {name} array={isinstance(val, list)}, declared {pdecl.is_array}')
            for v in values:
                self.expect(pywbem.cimtype(v) == pdecl.type,
                            f'{method}: {name} is a {pywbem.cimtype(v)}, declared {pdecl.type}')
        return int(rc), out

    def ok(self, path, method, **params):
        """Invokes a method that must succeed: 0, or 4096 with a job that completes."""
        rc, out = self.invoke(path, method, **params)
        if rc == 4096:
            self.expect(out.get('Job') is not None, f'{method}: 4096 without Job')
            self.wait_job(out['Job'])
        else:
            self.expect(rc == 0, f'{method} returned {rc}: {dict(out)}')
        return out

    def wait_job(self, job_path, timeout=120):
        deadline = time.monotonic() + timeout
        cls = self.conn.GetClass(job_path.classname, namespace=job_path.namespace or 'root/virt',
                                 LocalOnly=False, IncludeQualifiers=True)
        while True:
            job = self.conn.GetInstance(job_path)
            self.check_typed(job, cls, str(job_path))
            state = int(job['JobState'])
            if state == 7:
                return job
            self.expect(state in (2, 3, 4, 5), f'job {job_path} ended in JobState {state}: '
                        f'{job.get("ErrorDescription")}')
            self.expect(time.monotonic() < deadline, f'job {job_path} still {state}')
            time.sleep(0.3)

    def only(self, classname, ns='root/virt'):
        paths = self.conn.EnumerateInstanceNames(classname, namespace=ns)
        self.expect(len(paths) == 1, f'{len(paths)} instances of {classname}')
        return paths[0]

    def system(self, name):
        return CIMInstanceName('Xen_ComputerSystem', namespace='root/virt', keybindings={
            'CreationClassName': 'Xen_ComputerSystem', 'Name': name})

    def state(self, name):
        return int(self.conn.GetInstance(self.system(name), PropertyList=['EnabledState'])
                   ['EnabledState'])

    def vssd(self, name, **extra):
        inst = CIMInstance('Xen_VirtualSystemSettingData', properties={
            'VirtualSystemIdentifier': name, 'ElementName': name, 'VirtualSystemType': 'Xen'})
        inst.update(extra)
        return inst

    def methods(self):
        prefix = self.args.prefix
        vsms = self.step('the management service', self.only,
                         'Xen_VirtualSystemManagementService')
        if vsms is None:
            return
        a, b = f'{prefix}-a', f'{prefix}-b'
        self.step('leftovers of an interrupted run removed', self.remove_leftovers, vsms, a, b)
        # DefineSystem: an embedded VSSD and RASDs, as pywbem sends CIMInstance parameters.
        mem = CIMInstance('Xen_MemResourceAllocationSettingData', properties={
            'ResourceType': Uint16(4), 'VirtualQuantity': Uint64(64),
            'AllocationUnits': 'byte*2^20'})
        proc = CIMInstance('Xen_ProcResourceAllocationSettingData', properties={
            'ResourceType': Uint16(3), 'VirtualQuantity': Uint64(1)})
        nic = CIMInstance('Xen_NetResourceAllocationSettingData', properties={
            'ResourceType': Uint16(10), 'NetworkName': 'xenbr0'})
        out = self.step(f'DefineSystem {a} (embedded VSSD and RASDs)', self.ok, vsms,
                        'DefineSystem', SystemSettings=self.vssd(a, Kernel='/boot/vmlinuz'),
                        ResourceSettings=[mem, proc, nic])
        if out is not None:
            self.step('DefineSystem ResultingSystem resolves', lambda: self.expect(
                self.conn.GetInstance(out['ResultingSystem'])['Name'] == a, 'wrong system'))
        vm = self.system(a)
        self.step(f'{a} is defined, stopped', lambda: self.expect(self.state(a) == 3, 'not 3'))
        for req, want in ((2, 2), (9, 9), (2, 2), (6, 6), (2, 2)):
            self.step(f'RequestStateChange {a} {req}', self.ok, vm, 'RequestStateChange',
                      RequestedState=Uint16(req))
            self.step(f'{a} EnabledState {want}', lambda w=want: self.expect(
                self.state(a) == w, f'EnabledState {self.state(a)}'))
        self.step(f'RequestStateChange {a} 9 -> 9 answers 0', lambda: self.expect(
            self.invoke(vm, 'RequestStateChange', RequestedState=Uint16(9))[0] == 0
            and self.invoke(vm, 'RequestStateChange', RequestedState=Uint16(9))[0] == 0, 'not 0'))
        self.step(f'RequestStateChange {a} 2', self.ok, vm, 'RequestStateChange',
                  RequestedState=Uint16(2))
        self.step('RequestStateChange with a bad value answers 5', lambda: self.expect(
            self.invoke(vm, 'RequestStateChange', RequestedState=Uint16(1234))[0] == 5, 'not 5'))
        self.snapshots(a, vm)
        self.networks(a, b)
        self.step(f'DestroySystem {b}', self.ok, vsms, 'DestroySystem',
                  AffectedSystem=self.system(b))
        self.step(f'DestroySystem {a}', self.ok, vsms, 'DestroySystem', AffectedSystem=vm)
        self.step(f'{a} is gone', lambda: self.expect(
            a not in [p['Name'] for p in self.conn.EnumerateInstanceNames('Xen_ComputerSystem')],
            'still listed'))

    def remove_leftovers(self, vsms, a, b):
        net = f'{self.args.prefix}-net'
        for n in self.conn.EnumerateInstanceNames('Xen_VirtualNetwork'):
            if n['Name'] == net:
                self.ok(self.only('Xen_VirtualNetworkManagementService'), 'DestroyNetwork',
                        AffectedNetwork=n)
        names = {p['Name'] for p in self.conn.EnumerateInstanceNames('Xen_ComputerSystem')}
        for name in (a, b):
            if name in names:
                print(f'     removing {name}, left by an earlier run')
                self.ok(vsms, 'DestroySystem', AffectedSystem=self.system(name))

    def snapshots(self, name, vm):
        svc = self.step('the snapshot service', self.only, 'Xen_VirtualSystemSnapshotService')
        if svc is None:
            return
        out = self.step(f'CreateSnapshot {name} full', self.ok, svc, 'CreateSnapshot',
                        AffectedSystem=vm, SnapshotType=Uint16(2),
                        SnapshotSettings=CIMInstance('Xen_VirtualSystemSettingData',
                                                     properties={'ElementName': 'before'}))
        if out is None:
            return
        snap = out.get('ResultingSnapshot')
        if snap is None:
            # Answered with a job: its CIM_AffectedJobElement names the new snapshot (Create).
            snap = self.step('the snapshot job names its snapshot (CIM_AffectedJobElement)',
                             self.created_by, out.get('Job'))
            if snap is None:
                return
        self.step('the snapshot is a VSSD named as asked', lambda: self.expect(
            self.conn.GetInstance(snap)['ElementName'] == 'before', 'ElementName'))
        self.step(f'Xen_SnapshotOfVirtualSystem {name}', lambda: self.expect(
            [p.keybindings['InstanceID'] for p in self.conn.AssociatorNames(
                vm, AssocClass='Xen_SnapshotOfVirtualSystem')] == [snap.keybindings['InstanceID']],
            'not the snapshot'))
        self.step(f'Xen_MostCurrentSnapshotInBranch {name}', lambda: self.expect(
            len(self.conn.AssociatorNames(vm, AssocClass='Xen_MostCurrentSnapshotInBranch')) == 1,
            'none'))
        self.step(f'RequestStateChange {name} 9', self.ok, vm, 'RequestStateChange',
                  RequestedState=Uint16(9))
        self.step(f'ApplySnapshot {name}', self.ok, svc, 'ApplySnapshot', Snapshot=snap)
        self.step(f'{name} running again after ApplySnapshot', lambda: self.expect(
            self.state(name) == 2, f'EnabledState {self.state(name)}'))
        self.step(f'DestroySnapshot {name}', self.ok, svc, 'DestroySnapshot',
                  AffectedSnapshot=snap)

    def created_by(self, job):
        self.expect(job is not None, 'neither ResultingSnapshot nor Job')
        refs = [r for r in self.conn.References(job, ResultClass='CIM_AffectedJobElement')
                if 5 in [int(e) for e in r['ElementEffects'] or []]]
        self.expect(len(refs) == 1, f'{len(refs)} elements the job created')
        return refs[0]['AffectedElement']

    def networks(self, a, b):
        svc = self.step('the network service', self.only, 'Xen_VirtualNetworkManagementService')
        if svc is None:
            return
        net_name = f'{self.args.prefix}-net'
        link = CIMInstance('Xen_VirtualLink', properties={
            'Name': 'a-b', 'EndpointSystems': [a, b], 'Limit': Uint64(100000000)})
        out = self.step(f'DefineNetwork {net_name} (existing {a}, new {b} embedded, a link)',
                        self.ok, svc, 'DefineNetwork', NetworkName=net_name,
                        Routers=[self.system(a)], RouterPriorities=[pywbem.Sint32(1)],
                        RouterSettings=[self.vssd(b, Kernel='/boot/vmlinuz')],
                        RouterSettingsPriorities=[pywbem.Sint32(2)], Links=[link])
        if out is None:
            return
        net = out['ResultingNetwork']
        parts = self.step(f'Xen_VirtualNetworkComponent of {net_name}', lambda: sorted(
            p.classname for p in self.conn.AssociatorNames(net,
                                                           AssocClass='Xen_VirtualNetworkComponent')))
        self.step(f'{net_name} has two routers, a link, a switch', lambda: self.expect(
            parts == ['Xen_ComputerSystem', 'Xen_ComputerSystem', 'Xen_VirtualEthernetSwitch',
                      'Xen_VirtualLink'], parts))
        lpath = CIMInstanceName('Xen_VirtualLink', namespace='root/virt',
                                keybindings={'InstanceID': f'{net_name}/a-b'})
        self.step('SetLinkBandwidth 250 Mbit/s', self.ok, svc, 'SetLinkBandwidth',
                  AffectedLink=lpath, Limit=Uint64(250000000), Reservation=None)
        self.step('the link has its new Limit', lambda: self.expect(
            int(self.conn.GetInstance(lpath)['Limit']) == 250000000, 'Limit'))
        self.step(f'RequestStateChange {net_name} 2 (launch)', self.ok, net,
                  'RequestStateChange', RequestedState=Uint16(2))
        self.step(f'{b} runs', lambda: self.expect(self.state(b) == 2, 'not running'))
        self.step(f'RequestStateChange {net_name} 3 (stop)', self.ok, net,
                  'RequestStateChange', RequestedState=Uint16(3))
        self.step(f'DestroyNetwork {net_name}', self.ok, svc, 'DestroyNetwork',
                  AffectedNetwork=net)


    # -- indications (DSP1054) with pywbem's WBEMListener and WBEMSubscriptionManager ----------
    def start_listener(self):
        """The listener runs in a child process, so that it can be killed (-9) like a real one."""
        child = subprocess.Popen(
            [sys.executable, '-W', 'ignore', os.path.abspath(__file__), '--run-listener',
             str(self.args.listener_port)], stdout=subprocess.PIPE, text=True)
        line = child.stdout.readline()
        self.expect(line.strip() == 'listening', f'the listener did not start: {line!r}')
        return child

    def receive(self, child, count, timeout):
        """The next `count` indications the child printed, within `timeout` seconds."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            left = deadline - time.monotonic()
            self.expect(left > 0, f'{len(got)} of {count} indications within {timeout} s: {got}')
            import select  # pylint: disable=import-outside-toplevel
            ready, _, _ = select.select([child.stdout], [], [], left)
            if ready:
                line = child.stdout.readline()
                self.expect(line, 'the listener ended')
                got.append(json.loads(line))
        return got

    def receive_new(self, child, count, seen, timeout):
        """Like receive, without duplicates: DSP1054 delivery is at least once, and a listener
        drops what it has had by SequenceContext and SequenceNumber."""
        got, have = [], {(i['context'], i['number']) for i in seen or []}
        deadline = time.monotonic() + timeout
        while len(got) < count:
            for ind in self.receive(child, 1, max(deadline - time.monotonic(), 0.01)):
                if (ind['context'], ind['number']) not in have:
                    have.add((ind['context'], ind['number']))
                    got.append(ind)
        return got

    def indications(self):
        name = self.args.router
        vm = self.system(name)
        url = f'http://127.0.0.1:{self.args.listener_port}'
        query = ('SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSystem '
                 f"AND SourceInstance.Name = '{name}' "
                 'AND PreviousInstance.EnabledState <> SourceInstance.EnabledState')
        child = self.step('WBEMListener started', self.start_listener)
        if child is None:
            return
        server = pywbem.WBEMServer(self.conn)
        sub = pywbem.WBEMSubscriptionManager(subscription_manager_id='pywbemcheck')
        try:
            sid = sub.add_server(server)
            dest = self.step('add_destination', sub.add_destination, sid, url,
                             destination_id='check')
            flt = self.step('add_filter', sub.add_filter, sid, 'root/virt', query,
                            query_language='WQL', filter_id='check')
            subs = self.step('add_subscriptions', sub.add_subscriptions, sid, flt.path,
                             [dest.path]) if dest and flt else None
            if not subs:
                return
            self.step('get_owned_subscriptions', lambda: self.expect(
                len(sub.get_owned_subscriptions(sid)) == 1, 'not one'))
            numbered_from = 0
            if self.state(name) != 2:
                self.ok(vm, 'RequestStateChange', RequestedState=Uint16(2))
                self.receive(child, 1, 10)
                numbered_from = 1
            start = time.monotonic()
            self.step(f'pause {name}', self.ok, vm, 'RequestStateChange',
                      RequestedState=Uint16(9))
            first = self.step('the pause arrives', self.receive, child, 1, 10)
            if first:
                ind = first[0]
                print(f'     pause delivered in {time.monotonic() - start:.2f} s: {ind}')
                self.step('CIM_InstModification 2 -> 9, numbered', lambda: self.expect(
                    ind['class'] == 'CIM_InstModification' and ind['state'] == 9
                    and ind['previous'] == 2 and ind['context'] and ind['number'] is not None,
                    ind))
                # The CIM Schema's CIM_Indication.SequenceContext: a new registration of a
                # listener destination is a new sequence.
                self.step('a new destination numbers from 0', lambda: self.expect(
                    ind['number'] == numbered_from, f'SequenceNumber {ind["number"]}'))
            # Kill the listener, change states, start it again: the missed ones come, in order
            # (DSP1054: DeliveryRetryAttempts times DeliveryRetryInterval).
            time.sleep(1)  # the listener answers the export after its callback has printed
            child.send_signal(signal.SIGKILL)
            child.wait()
            for req in (2, 9, 2):
                self.step(f'RequestStateChange {name} {req} (listener down)', self.ok, vm,
                          'RequestStateChange', RequestedState=Uint16(req))
            time.sleep(2)
            child = self.step('WBEMListener restarted', self.start_listener)
            if child is None:
                return
            missed = self.step('the three missed ones arrive after the restart',
                               self.receive_new, child, 3, first, self.args.retry_wait)
            if missed:
                print(f'     missed ones delivered: {missed}')
                self.step('in order, numbered one after the other', lambda: self.expect(
                    [(m['previous'], m['state']) for m in missed] == [(9, 2), (2, 9), (9, 2)]
                    and [m['number'] for m in missed] == [first[0]['number'] + i
                                                          for i in (1, 2, 3)]
                    and {m['context'] for m in missed} == {first[0]['context']}, missed))
        finally:
            self.step('remove_server (deletes what it made)', sub.remove_server, sid)
            if child is not None:
                child.kill()
                child.wait()


    # -- migration (DSP1081) between two hosts' servers ----------------------------------------
    def migratable(self, svc, name, dest):
        """CheckVirtualSystemIsMigratableToHost: the reasons it cannot move (empty: it can).
        pywbem reads every boolean OUT parameter as True (it converts the text "FALSE" with
        Python's bool()), so IsMigratable is judged from the raw reply and Reasons."""
        rc, out = self.invoke(svc, 'CheckVirtualSystemIsMigratableToHost',
                              ComputerSystem=self.system(name), DestinationHost=dest)
        self.expect(rc == 0, f'Check returned {rc}')
        raw = self.conn.last_raw_reply or b''
        if isinstance(raw, bytes):
            raw = raw.decode('utf-8')
        said = 'NAME="IsMigratable" PARAMTYPE="boolean"><VALUE>TRUE<' in raw
        reasons = list(out['Reasons'] or [])
        self.expect(said == (not reasons), f'IsMigratable {said} with reasons {reasons}')
        return reasons

    def migration(self):
        peer_name, peer_url = self.args.peer_name, self.args.peer_url
        self.expect(peer_name and peer_url, 'the migration section needs --peer-name and --peer-url')
        peer = self.peer_conn()
        svc = self.step('the migration service', self.only, 'Xen_VirtualSystemMigrationService')
        if svc is None:
            return
        name = self.args.migrate_router
        names = lambda c: {p['Name'] for p in c.EnumerateInstanceNames('Xen_ComputerSystem')}
        self.conn.debug = True  # keeps the raw reply: see migratable()
        reasons = self.step(f'CheckVirtualSystemIsMigratableToHost {name} -> {peer_name}',
                            self.migratable, svc, name, peer_name)
        self.step(f'{name} can move', lambda: self.expect(reasons == [], reasons))
        self.step('a system that does not exist cannot move, and the reason says so',
                  lambda: self.expect(any('no-such-router' in r for r in self.migratable(
                      svc, 'no-such-router', peer_name)), 'no reason names it'))
        self.step('an unknown host is refused', lambda: self.expect(
            self.raises(lambda: self.invoke(svc, 'CheckVirtualSystemIsMigratableToHost',
                                            ComputerSystem=self.system(name),
                                            DestinationHost='no-such-host')), 'accepted'))
        host = self.step(f'{peer_name} host system', lambda: peer.EnumerateInstanceNames(
            'Xen_HostSystem')[0])
        if host is not None:
            self.step(f'CheckVirtualSystemIsMigratableToSystem {name}', lambda: self.expect(
                self.invoke(svc, 'CheckVirtualSystemIsMigratableToSystem',
                            ComputerSystem=self.system(name), DestinationSystem=host)[0] == 0,
                'not 0'))
        start = time.monotonic()
        out = self.step(f'MigrateVirtualSystemToHost {name} -> {peer_name}', self.ok, svc,
                        'MigrateVirtualSystemToHost', ComputerSystem=self.system(name),
                        DestinationHost=peer_name)
        if out is None:
            return
        print(f'     migrated in {time.monotonic() - start:.2f} s')
        self.step(f'{name} left this host', lambda: self.expect(name not in names(self.conn),
                                                              'still here'))
        self.step(f'{name} runs on {peer_name}', lambda: self.expect(
            name in names(peer) and int(peer.GetInstance(self.system(name))['EnabledState'])
            == 2, 'not there, or not running'))
        jobs = self.step('Xen_MigrationJob completed, 100 %', lambda: [
            j for j in self.conn.EnumerateInstances('Xen_MigrationJob')
            if j.path.keybindings['InstanceID'] == out['Job'].keybindings['InstanceID']])
        self.step('the job says 100 % and 7', lambda: self.expect(
            jobs and int(jobs[0]['PercentComplete']) == 100 and int(jobs[0]['JobState']) == 7,
            jobs))
        self.move_back(peer, name)

    def peer_conn(self):
        creds = (self.args.peer_user, self.args.peer_password) if self.args.peer_user else None
        return pywbem.WBEMConnection(self.args.peer_url, creds, default_namespace='root/virt',
                                     timeout=60)

    def move_back(self, peer, name):
        """Back again from the peer, when it knows this host (serve --peer on both sides)."""
        psvc = peer.EnumerateInstanceNames('Xen_VirtualSystemMigrationService')[0]
        this = self.conn.EnumerateInstanceNames('Xen_HostSystem')[0]['Name']
        try:
            rc, back = peer.InvokeMethod('CheckVirtualSystemIsMigratableToHost', psvc,
                                         ComputerSystem=self.system(name), DestinationHost=this)
        except CIMError as exc:
            print(f'     not migrating back: the peer does not know {this} ({exc})')
            return
        if list(back['Reasons'] or []):
            print(f'     not migrating back: {list(back["Reasons"])}')
            return
        rc, back = peer.InvokeMethod('MigrateVirtualSystemToHost', psvc,
                                     ComputerSystem=self.system(name), DestinationHost=this)
        self.step(f'{name} migrated back to {this}', self.wait_on, peer, rc, back)
        self.step(f'{name} runs here again', lambda: self.expect(
            self.state(name) == 2 and name not in
            {p['Name'] for p in peer.EnumerateInstanceNames('Xen_ComputerSystem')}, 'not back'))

    def wait_on(self, conn, rc, out):
        if int(rc) == 4096:
            saved, self.conn = self.conn, conn
            try:
                self.wait_job(out['Job'])
            finally:
                self.conn = saved
        else:
            self.expect(int(rc) == 0, f'returned {rc}')

    @staticmethod
    def raises(fn):
        try:
            fn()
        except CIMError:
            return True
        return False


    # -- the README's pywbem examples, as written (only the endpoints substituted) ---------------
    def readme(self):
        path = self.args.readme or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                '..', '..', 'README.md')
        with open(path, encoding='utf-8') as f:
            blocks = re.findall(r'```python\n(.*?)```', f.read(), re.S)
        self.step(f'{path} has pywbem examples', lambda: self.expect(blocks, 'none'))
        creds = repr((self.args.user, self.args.password)) if self.args.user else 'None'
        # The migration example last: it moves vr-core1 away (and back after, when it can).
        order = sorted(enumerate(blocks, 1), key=lambda nb: 'MigrateVirtualSystemToHost' in nb[1])
        for n, block in order:
            first = block.strip().splitlines()[-1][:60]
            if 'MigrateVirtualSystemToHost' in block:
                if not self.args.peer_name:
                    print(f'     README example {n} (migration) skipped: no --peer-name')
                    continue
                code = (block.replace('http://127.0.0.1:15988', self.args.url)
                        .replace("'hostB'", repr(self.args.peer_name))
                        .replace("default_namespace='root/virt')",
                                 f"{creds}, default_namespace='root/virt')"))
            else:
                code = (block.replace('http://127.0.0.1:5988', self.args.url)
                        .replace("('admin', 'secret')", creds)
                        .replace('5990', str(self.args.listener_port)))
            env = {}
            before = len(self.failures)
            self.step(f'README example {n} ({first})', exec, code, env)
            if len(self.failures) > before:
                continue
            if 'WBEMListener' in block:
                self.readme_listener(env)
            if 'MigrateVirtualSystemToHost' in block:
                self.move_back(self.peer_conn(), 'vr-core1')

    def readme_listener(self, env):
        """The subscription example made its listener and subscription: a pause arrives."""
        got = []
        env['listener'].add_callback(lambda ind, host: got.append(ind))
        vm = self.system(self.args.router)
        try:
            self.step(f'pause {self.args.router}', self.ok, vm, 'RequestStateChange',
                      RequestedState=Uint16(9))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(
                    int(i['SourceInstance']['EnabledState']) == 9 for i in got):
                time.sleep(0.1)
            self.step('the README subscription delivers the pause', lambda: self.expect(
                any(int(i['SourceInstance']['EnabledState']) == 9
                    and int(i['PreviousInstance']['EnabledState']) == 2 for i in got),
                f'{len(got)} indications'))
            self.step(f'resume {self.args.router}', self.ok, vm, 'RequestStateChange',
                      RequestedState=Uint16(2))
        finally:
            self.step('remove_server (the README subscription)', env['sub'].remove_server,
                      env['sid'])
            env['listener'].stop()


def run_listener(port):
    """Child: a pywbem WBEMListener printing each indication as a JSON line."""
    import logging  # pylint: disable=import-outside-toplevel
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    def show(ind, host):  # pylint: disable=unused-argument
        src, prev = ind.get('SourceInstance'), ind.get('PreviousInstance')
        for emb in (src, prev):
            assert emb is None or isinstance(emb, CIMInstance), f'not embedded: {emb!r}'
        print(json.dumps({
            'class': ind.classname,
            'name': src['Name'] if src is not None else None,
            'state': int(src['EnabledState']) if src is not None else None,
            'previous': int(prev['EnabledState']) if prev is not None else None,
            'context': ind.get('SequenceContext'),
            'number': int(ind['SequenceNumber']) if ind.get('SequenceNumber') is not None
            else None}), flush=True)

    listener = pywbem.WBEMListener('127.0.0.1', http_port=port)
    listener.add_callback(show)
    listener.start()
    print('listening', flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    listener.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--url', default='http://127.0.0.1:5988')
    ap.add_argument('--user')
    ap.add_argument('--password')
    ap.add_argument('--sections', default='sweep,methods,indications')
    ap.add_argument('--listener-port', type=int, default=5990)
    ap.add_argument('--peer-url', help='another host\'s server (--peer NAME=URL of this one)')
    ap.add_argument('--peer-name', help='that host\'s --host-name')
    ap.add_argument('--prefix', default='pywbem-check',
                    help='name prefix of the systems and networks the methods section makes')
    ap.add_argument('--router', default='vr-core1',
                    help='a running system the indications section pauses and resumes')
    ap.add_argument('--retry-wait', type=float, default=70,
                    help='seconds to wait for the missed indications (DeliveryRetryInterval)')
    ap.add_argument('--peer-user')
    ap.add_argument('--peer-password')
    ap.add_argument('--migrate-router', default='vr-core1',
                    help='a running system the migration section moves to the peer (and back)')
    ap.add_argument('--readme', help='the README whose pywbem examples the readme section runs')
    ap.add_argument('--run-listener', type=int, help=argparse.SUPPRESS)
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    if args.run_listener:
        run_listener(args.run_listener)
        return 0
    checker = Checker(args)
    print(f'pywbem {pywbem.__version__} against {args.url}')
    for section in args.sections.split(','):
        start = time.monotonic()
        getattr(checker, section)()
        print(f'-- {section}: done in {time.monotonic() - start:.1f} s')
    print(f'{checker.passed} steps passed, {len(checker.failures)} failed')
    return 1 if checker.failures else 0


if __name__ == '__main__':
    sys.exit(main())
