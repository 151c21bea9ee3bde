/**
 * A scripted HypervisorDriver for unit tests of virt/: systems in memory, every call recorded,
 * failures on demand, and gates that hold an operation until the test opens them (an operation
 * held at a gate ends at once when its cancel signal aborts, as the runner kills xl). A test
 * double, not an emulator: it checks the transition table like a driver must, nothing more.
 */
import type { DriverMetrics, HypervisorDriver, OperationOptions, ReconcileReport, StartOptions } from '../../src/virt/driver.js';
import { VirtError } from '../../src/virt/errors.js';
import { applyPatch, normalizeDisk, normalizeNic, normalizeSpec } from '../../src/virt/spec.js';
import { checkTransition, type Operation, type SystemState, type TargetState } from '../../src/virt/states.js';
import type {
  DiskSpec, HostFacts, VirtualSwitch, NicSpec, ObservedStateChange, Rate, SystemPatch, VirtualSystem, VirtualSystemConfig, VirtualSystemSpec,
} from '../../src/virt/types.js';
import { overheadMiB } from '../../src/virt/capacity.js';

type Nic = NicSpec & { mac: string };

interface Failure {
  method: string;
  name?: string;
  error: VirtError;
}

export class StubDriver implements HypervisorDriver {
  readonly kind = 'stub';
  /** Every call, e.g. "start web", "attachDisk web xvdb". */
  readonly calls: string[] = [];
  /** Calls ended by their cancel signal. */
  readonly cancelled: string[] = [];
  readonly systems = new Map<string, VirtualSystem>();
  /** The host's switches (a test may add or remove some). */
  switchList: VirtualSwitch[] = ['xenbr0', 'xenbr1', 'xenbr2', 'br0', 'br1', 'br-a'].map((name) => ({ name, up: true }));
  totalMemoryMiB = 16384;
  dom0MemoryMiB = 1024;
  /** Raw uplink bandwidth the host facts report (bit/s); undefined: unknown. */
  uplinkBitsPerSecond: number | undefined = 10_000_000_000;
  private readonly failures: Failure[] = [];
  private readonly gates = new Map<string, { open: Promise<void>; release: () => void }>();
  private readonly listeners = new Set<(c: ObservedStateChange) => void>();
  private macs = 0;

  // ------------------------------------------------------------ scripting

  /** The next call of `method` (on `name`, if given) throws `error`. */
  failNext(method: string, error: VirtError, name?: string): void {
    this.failures.push(name === undefined ? { method, error } : { method, error, name });
  }

  /** Calls of `method` wait until the returned function is called (or their signal aborts). */
  hold(method: string): () => void {
    let release!: () => void;
    const open = new Promise<void>((r) => (release = r));
    this.gates.set(method, { open, release });
    return () => {
      this.gates.delete(method);
      release();
    };
  }

  /** Something happened behind our back: tell the listeners. */
  emit(change: ObservedStateChange): void {
    for (const l of this.listeners) l(change);
  }

  add(spec: Partial<VirtualSystemSpec> & { name: string }, state: SystemState = 'defined'): VirtualSystem {
    const n = normalizeSpec({ type: 'pv', memoryMiB: 512, vcpus: 1, ...spec });
    const config: VirtualSystemConfig = { ...n, uuid: `00000000-0000-4000-8000-${String(this.systems.size + 1).padStart(12, '0')}`, nics: n.nics.map((x) => ({ ...x, mac: x.mac ?? this.mac() })) };
    const sys: VirtualSystem = { name: config.name, uuid: config.uuid, state, config, origin: 'defined' };
    this.setState(sys, state);
    this.systems.set(sys.name, sys);
    return sys;
  }

  private mac(): string {
    return `00:16:3e:00:00:${(++this.macs).toString(16).padStart(2, '0')}`;
  }

  private setState(sys: VirtualSystem, state: SystemState): void {
    sys.state = state;
    if (state === 'defined' || state === 'suspended') delete sys.live;
    else if (!sys.live) {
      const c = sys.config;
      sys.live = { domid: 1, memoryMiB: c.memoryMiB, targetMemoryMiB: c.memoryMiB, maxMemoryMiB: c.maxMemoryMiB, onlineVcpus: c.vcpus, cpuWeight: c.cpuWeight, cpuCap: c.cpuCap, cpuTimeSec: 0 };
    }
  }

  private async call(method: string, name: string, extra: string[] = [], opts: OperationOptions = {}): Promise<VirtualSystem | undefined> {
    const line = [method, name, ...extra].join(' ');
    this.calls.push(line);
    const gate = this.gates.get(method);
    if (gate) {
      await new Promise<void>((resolve, reject) => {
        if (opts.signal?.aborted) return reject(new VirtError('failed', `${method} was cancelled`));
        opts.signal?.addEventListener('abort', () => {
          this.cancelled.push(line);
          reject(new VirtError('failed', `${method} was cancelled`));
        }, { once: true });
        void gate.open.then(resolve);
      });
    }
    const i = this.failures.findIndex((f) => f.method === method && (f.name === undefined || f.name === name));
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
    return this.systems.get(name);
  }

  private async op(method: string, name: string, op: Operation, to: SystemState, opts: OperationOptions = {}): Promise<void> {
    const sys = this.need(await this.call(method, name, [], opts), name);
    checkTransition(name, sys.state, op);
    this.setState(sys, to);
  }

  private need(sys: VirtualSystem | undefined, name: string): VirtualSystem {
    if (!sys) throw new VirtError('not_found', `no virtual system named '${name}'`);
    return sys;
  }

  // ------------------------------------------------------------ the contract

  async init(): Promise<ReconcileReport> {
    return { adopted: [], vanished: [], ignored: [], cleanedTempFiles: 0, quarantined: [] };
  }
  async list(): Promise<VirtualSystem[]> {
    return [...this.systems.values()].map((s) => structuredClone(s));
  }
  async get(name: string): Promise<VirtualSystem> {
    this.calls.push(`get ${name}`);
    return structuredClone(this.need(this.systems.get(name), name));
  }
  invalidate(): void {}
  async switches(): Promise<VirtualSwitch[]> {
    return structuredClone(this.switchList);
  }
  async createSwitch(name: string): Promise<VirtualSwitch> {
    if (this.switchList.some((s) => s.name === name)) throw new VirtError('conflict', `switch '${name}' exists`);
    this.switchList.push({ name, up: true });
    return { name, up: true };
  }
  async deleteSwitch(name: string): Promise<void> {
    const at = this.switchList.findIndex((s) => s.name === name);
    if (at < 0) throw new VirtError('not_found', `no switch '${name}'`);
    this.switchList.splice(at, 1);
  }
  async hostFacts(): Promise<HostFacts> {
    let used = this.dom0MemoryMiB;
    for (const s of this.systems.values()) if (s.live) used += s.live.memoryMiB + overheadMiB(s.config);
    return {
      hostname: 'stub', hypervisor: 'stub', hypervisorVersion: '1', scheduler: 'credit2', nrCpus: 4,
      totalMemoryMiB: this.totalMemoryMiB, freeMemoryMiB: this.totalMemoryMiB - used, dom0MemoryMiB: this.dom0MemoryMiB, dom0Vcpus: 1, dom0MemoryFixed: true,
      ...(this.uplinkBitsPerSecond !== undefined ? { uplinkBitsPerSecond: this.uplinkBitsPerSecond } : {}),
    };
  }
  onObserved(listener: (c: ObservedStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async define(spec: VirtualSystemSpec): Promise<VirtualSystem> {
    await this.call('define', spec.name);
    if (this.systems.has(spec.name)) throw new VirtError('conflict', `a virtual system named '${spec.name}' already exists`);
    return structuredClone(this.add(spec));
  }
  async undefine(name: string): Promise<void> {
    const sys = this.need(await this.call('undefine', name), name);
    if (sys.live) throw new VirtError('invalid_state', `'${name}' is ${sys.state}`);
    this.systems.delete(name);
  }
  async rename(name: string, newName: string): Promise<VirtualSystem> {
    const sys = this.need(await this.call('rename', name, [newName]), name);
    if (this.systems.has(newName)) throw new VirtError('conflict', `a virtual system named '${newName}' already exists`);
    this.systems.delete(name);
    sys.name = newName;
    sys.config = { ...sys.config, name: newName };
    this.systems.set(newName, sys);
    return structuredClone(sys);
  }
  async modify(name: string, patch: SystemPatch): Promise<VirtualSystem> {
    const sys = this.need(await this.call('modify', name, [JSON.stringify(patch)]), name);
    sys.config = applyPatch(sys.config, patch);
    const live = sys.live;
    if (live) {
      // Like Xen: memory beyond the maximum the domain booted with waits for the next start.
      if (sys.config.memoryMiB <= live.maxMemoryMiB) Object.assign(live, { targetMemoryMiB: sys.config.memoryMiB, memoryMiB: sys.config.memoryMiB });
      Object.assign(live, { cpuWeight: sys.config.cpuWeight, cpuCap: sys.config.cpuCap, onlineVcpus: sys.config.vcpus });
    }
    return structuredClone(sys);
  }
  async setRequestedState(name: string, target: TargetState | undefined): Promise<void> {
    this.need(await this.call('setRequestedState', name, [String(target)]), name).requested = target;
  }

  start(name: string, opts: StartOptions = {}): Promise<void> {
    return this.op('start', name, opts.paused ? 'start_paused' : 'start', opts.paused ? 'paused' : 'running', opts);
  }
  shutdown(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('shutdown', name, 'shutdown', 'defined', opts);
  }
  destroy(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('destroy', name, 'destroy', 'defined', opts);
  }
  reboot(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('reboot', name, 'reboot', 'running', opts);
  }
  /** Like the xl driver: the domain is destroyed and created again from the definition (its memory and vCPUs included). */
  async reset(name: string, opts?: OperationOptions): Promise<void> {
    await this.op('reset', name, 'reset', 'running', opts);
    const sys = this.systems.get(name)!;
    delete sys.live;
    this.setState(sys, 'running');
  }
  pause(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('pause', name, 'pause', 'paused', opts);
  }
  unpause(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('unpause', name, 'unpause', 'running', opts);
  }
  save(name: string, opts?: OperationOptions): Promise<void> {
    return this.op('save', name, 'save', 'suspended', opts);
  }
  restore(name: string, opts: OperationOptions & { paused?: boolean } = {}): Promise<void> {
    return this.op('restore', name, opts.paused ? 'restore_paused' : 'restore', opts.paused ? 'paused' : 'running', opts);
  }

  async attachDisk(name: string, disk: DiskSpec): Promise<DiskSpec> {
    const sys = this.need(await this.call('attachDisk', name, [disk.vdev]), name);
    if (sys.config.disks.some((d) => d.vdev === disk.vdev)) throw new VirtError('conflict', `'${name}' already has a disk ${disk.vdev}`);
    const d = normalizeDisk(disk);
    sys.config = { ...sys.config, disks: [...sys.config.disks, d] };
    return d;
  }
  async detachDisk(name: string, vdev: string): Promise<void> {
    const sys = this.need(await this.call('detachDisk', name, [vdev]), name);
    if (!sys.config.disks.some((d) => d.vdev === vdev)) throw new VirtError('not_found', `'${name}' has no disk ${vdev}`);
    sys.config = { ...sys.config, disks: sys.config.disks.filter((d) => d.vdev !== vdev) };
  }
  async attachInterface(name: string, nic: NicSpec): Promise<Nic> {
    const sys = this.need(await this.call('attachInterface', name, [nic.mac ?? '(new)']), name);
    const n: Nic = { ...normalizeNic(nic), mac: nic.mac ?? this.mac() } as Nic;
    if (sys.config.nics.some((x) => x.mac === n.mac)) throw new VirtError('conflict', `'${name}' already has an interface ${n.mac}`);
    sys.config = { ...sys.config, nics: [...sys.config.nics, n] };
    return n;
  }
  async detachInterface(name: string, mac: string): Promise<void> {
    const sys = this.need(await this.call('detachInterface', name, [mac]), name);
    if (!sys.config.nics.some((x) => x.mac === mac)) throw new VirtError('not_found', `'${name}' has no interface ${mac}`);
    sys.config = { ...sys.config, nics: sys.config.nics.filter((x) => x.mac !== mac) };
  }
  async setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void> {
    const sys = this.need(await this.call('setInterfaceRate', name, [mac, rate ? String(rate.bytesPerSecond) : 'none']), name);
    sys.config = {
      ...sys.config,
      nics: sys.config.nics.map((x) => {
        if (x.mac !== mac) return x;
        const n = { ...x, ...(rate ? { rate } : {}) };
        if (!rate) delete n.rate;
        return n;
      }),
    };
  }

  metrics(): DriverMetrics {
    return { toolCalls: this.calls.length, snapshotRefreshes: 0 };
  }
  async close(): Promise<void> {}
}
