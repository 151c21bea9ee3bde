/**
 * VirtManager.networks: virtual networks (named topologies of systems, switches and links),
 * hypervisor-neutral. Reads come from memory and the driver's picture; changes are
 * all-or-nothing (structure.ts), whole-network state changes run as jobs (launch.ts), link
 * reservations are admitted against the uplink (uplink.ts). docs/networks.md is the map.
 */
import type { ResourceChange } from '../changes.js';
import { VirtError } from '../errors.js';
import type { HostFacts, VirtualSystem } from '../types.js';
import type { Model } from '../model.js';
import { BoundedMap, systemsByName, type NetContext } from './context.js';
import { rateOf, sameRate } from './plan.js';
import { rollBack } from './intent.js';
import { reconcileMembers, reconcileRates } from './members.js';
import { REGISTRY_LOCK } from './names.js';
import { requestNetworkState, type NetworkStateChange, type NetworkStateOptions } from './launch.js';
import {
  addLink, defineNetwork, destroyNetwork, forgetMember, memberOf, need, releaseNetwork, removeLink, renameMember, reserveNetwork, setLinkBandwidth,
  type BandwidthChange,
} from './structure.js';
import { advertisedUplink, reservedElsewhere } from './uplink.js';
import { pictureOf, switchesOf, toVirtualNetwork } from './view.js';
import { defineSwitch } from '../switches.js';
import type {
  Link, LinkBandwidth, LinkSpec, MemberOutcome, NetworkPicture, NetworkSnapshot, NetworkSpec, NetworkStore, NetworkTarget, NewRouter, StoredNetwork,
  VirtualNetwork,
} from './types.js';

export interface NetworkLoadReport {
  loaded: number;
  cleanedTempFiles: number;
  quarantined: string[];
  /** Switches of the networks the host no longer had (a host restart), made again. */
  recreatedSwitches?: string[];
  /** Defines and added links cut by the last stop, undone. */
  rolledBack?: string[];
  /** Members deleted or renamed while the server was down (left their network, or followed), link rates put back (members.ts). */
  membersReconciled?: string[];
}

/** The uplink the networks' reservations are admitted against: advertised (net of overhead), never its name. */
export interface UplinkSummary {
  uplinkBitsPerSecond: number;
  reservedBitsPerSecond: number;
  availableBitsPerSecond: number;
}

export class NetworkManager {
  private readonly ctx: NetContext;

  constructor(
    m: Model,
    store: NetworkStore,
    hostFacts: () => Promise<HostFacts>,
    /** Runs after every change has settled (the model's change events). */
    private readonly settled: <T>(p: Promise<T>) => Promise<T> = (p) => p,
  ) {
    this.ctx = { m, store, nets: new Map(), hostFacts, outcomes: new BoundedMap(256), reserved: new Map(), leftovers: new Map() };
  }

  /** Load the stored networks (VirtManager.init). */
  async init(): Promise<NetworkLoadReport> {
    const r = await this.ctx.store.load();
    this.ctx.nets.clear();
    const rolledBack: string[] = [];
    for (const stored of r.networks) {
      let n: StoredNetwork | undefined = stored;
      if (stored.pending) {
        // A define or an added link cut by a crash: what it made is undone (intent.ts).
        const what = `${stored.pending.op === 'define' ? 'the definition of' : 'a link added to'} the network '${stored.name}'`;
        try {
          n = await rollBack(this.ctx, stored);
          rolledBack.push(what);
        } catch (e) {
          this.ctx.m.log(`could not undo ${what}, cut by the last stop: ${e instanceof Error ? e.message : String(e)}; ` +
            `retried at the next start while the network is not changed meanwhile (its switches: ${stored.pending.switches.join(', ') || 'none'})`);
          if (stored.pending.op === 'define') continue;
          // The network itself existed before the link: it is served as it was meanwhile.
          const { pending: _retried, ...before } = stored;
          n = before;
        }
      }
      if (n) this.ctx.nets.set(n.name, n);
    }
    // Members deleted or renamed while the server was down, link rates a cut bandwidth change left (members.ts).
    const reconciled = this.ctx.nets.size === 0 ? [] : await systemsByName(this.ctx)
      .then((systems) => this.ctx.m.locks.with(REGISTRY_LOCK, async () => [
        ...await reconcileMembers(this.ctx, systems),
        ...await reconcileRates(this.ctx, systems),
      ]))
      .catch((e: unknown) => {
        this.ctx.m.log(`the networks' members could not be checked against the systems: ${e instanceof Error ? e.message : String(e)}`);
        return [];
      });
    const recreated = await this.recreateSwitches();
    return {
      loaded: this.ctx.nets.size, cleanedTempFiles: r.cleanedTempFiles, quarantined: r.quarantined,
      ...(recreated.length ? { recreatedSwitches: recreated } : {}), ...(rolledBack.length ? { rolledBack } : {}),
      ...(reconciled.length ? { membersReconciled: reconciled } : {}),
    };
  }

  /**
   * Switches a host loses on its own restart (a bridge made with iproute2 is not kept) are made
   * again at start-up, so the networks' members can start; a failure is logged, not fatal.
   */
  private async recreateSwitches(): Promise<string[]> {
    if (this.ctx.nets.size === 0) return [];
    const have = new Set((await this.ctx.m.driver.switches().catch(() => [])).map((s) => s.name));
    const out: string[] = [];
    for (const n of this.ctx.nets.values()) {
      for (const sw of switchesOf(n)) {
        if (have.has(sw)) continue;
        have.add(sw);
        try {
          await defineSwitch(this.ctx.m, sw);
          out.push(sw);
        } catch (e) {
          this.ctx.m.log(`network '${n.name}': could not create its missing switch '${sw}': ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- reads

  async list(): Promise<VirtualNetwork[]> {
    const systems = await systemsByName(this.ctx);
    return [...this.ctx.nets.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => toVirtualNetwork(n, systems));
  }

  async get(name: string): Promise<VirtualNetwork> {
    const n = need(this.ctx, name);
    return toVirtualNetwork(n, await systemsByName(this.ctx));
  }

  /** The network a system belongs to (a system belongs to one at most). */
  networkOf(system: string): string | undefined {
    return memberOf(this.ctx, system);
  }

  /** What a drawing needs, from one read of systems and switches. */
  async picture(name: string): Promise<NetworkPicture> {
    const n = need(this.ctx, name);
    const [systems, switches, up] = await Promise.all([systemsByName(this.ctx), this.ctx.m.driver.switches(), this.uplink()]);
    return pictureOf(n, systems, switches, up.uplinkBitsPerSecond, up.reservedBitsPerSecond);
  }

  async uplink(): Promise<UplinkSummary> {
    const uplink = advertisedUplink((await this.ctx.hostFacts()).uplinkBitsPerSecond);
    const reserved = reservedElsewhere(this.ctx.nets.values());
    return { uplinkBitsPerSecond: uplink, reservedBitsPerSecond: reserved, availableBitsPerSecond: Math.max(0, uplink - reserved) };
  }

  /**
   * Every member's outcome of a whole-network job once it has ended (also its result when every
   * member reached the target); undefined for an unknown, running or cancelled job.
   */
  outcomes(jobId: string): MemberOutcome[] | undefined {
    const o = this.ctx.outcomes.get(jobId);
    return o ? structuredClone(o) : undefined;
  }

  /** The stored form (what defining created, for tests and tools). */
  stored(name: string): StoredNetwork {
    return structuredClone(need(this.ctx, name));
  }

  // ---------------------------------------------------------------- changes

  /**
   * Define a network, all or nothing: missing switches are created (a link without a switch gets
   * its own, with a generated name), an end without an interface gets one on its link's switch,
   * link limits become the ends' rates, reservations are admitted against the uplink.
   */
  async define(spec: NetworkSpec): Promise<VirtualNetwork> {
    await this.reported('created', spec.name, () => this.settled(defineNetwork(this.ctx, spec)));
    return this.get(spec.name);
  }

  /**
   * Reserve a network's name before making new routers (and the switches they need) for it, so a
   * crash before the network is stored removes them at the next start (structure.ts reserveNetwork).
   */
  reserve(name: string, routers: readonly NewRouter[], switches: readonly string[] = []): Promise<void> {
    return this.settled(reserveNetwork(this.ctx, name, routers, switches));
  }

  /** Drop a reservation no define took over. */
  release(name: string): Promise<void> {
    return this.settled(releaseNetwork(this.ctx, name));
  }

  /** Remove a network with the interfaces and switches it created; its systems stay. */
  destroy(name: string): Promise<void> {
    return this.reported('deleted', name, () => this.settled(destroyNetwork(this.ctx, name)));
  }

  async addLink(network: string, link: LinkSpec): Promise<VirtualNetwork> {
    await this.reported('modified', network, () => this.settled(addLink(this.ctx, network, link)));
    return this.get(network);
  }

  async removeLink(network: string, linkName: string): Promise<VirtualNetwork> {
    await this.reported('modified', network, () => this.settled(removeLink(this.ctx, network, linkName)));
    return this.get(network);
  }

  /** Change a link's limit (live on active ends: no interface is unplugged) and/or reservation (admitted). null removes. */
  setLinkBandwidth(network: string, linkName: string, bw: LinkBandwidth): Promise<BandwidthChange> {
    return this.reported('modified', network, () => this.settled(setLinkBandwidth(this.ctx, network, linkName, bw)));
  }

  /**
   * The network as a change event carries it, from one read of the systems (also returned, by
   * name); undefined when it does not exist (or cannot be read).
   */
  private async snapshot(name: string): Promise<{ snapshot: NetworkSnapshot; systems: Map<string, VirtualSystem> } | undefined> {
    const n = this.ctx.nets.get(name);
    if (!n) return undefined;
    try {
      const [list, up] = await Promise.all([this.ctx.m.driver.list(), this.uplink().catch(() => undefined)]);
      const systems = new Map(list.map((s) => [s.name, s]));
      const members = n.members.map((m) => systems.get(m.system)).filter((s): s is VirtualSystem => s !== undefined);
      const snapshot = { network: toVirtualNetwork(n, systems), systems: members, ...(up ? { uplinkBitsPerSecond: up.uplinkBitsPerSecond } : {}) };
      return { snapshot, systems };
    } catch {
      return undefined;
    }
  }

  /** Run a change and report it on the model's event stream (lifecycle indications), as it was and as it is. */
  private async reported<T>(kind: 'created' | 'modified' | 'deleted', name: string, change: () => Promise<T>): Promise<T> {
    const previous = kind === 'created' ? undefined : (await this.snapshot(name))?.snapshot;
    const result = await change();
    this.report(kind, name, previous);
    return result;
  }

  private report(kind: 'created' | 'modified' | 'deleted', name: string, previous: NetworkSnapshot | undefined): void {
    void (kind === 'deleted' ? Promise.resolve(undefined) : this.snapshot(name).then((s) => s?.snapshot)).then((current) => {
      if (kind !== 'deleted' && !current) return;
      this.ctx.m.element({ element: 'network', kind, name, ...(previous ? { previous } : {}), ...(current ? { current } : {}) });
    });
  }

  /**
   * @internal VirtManager: refuses a resource change that would break a link behind its network's
   * back: removing an interface that is a link's end, moving it off the link's switch or giving it
   * another rate than the link's (RemoveLink and SetLinkBandwidth do those, keeping the link's
   * record and its reservation in step). A change that leaves it as the link has it passes.
   */
  guardResourceChanges(changes: readonly ResourceChange[]): void {
    const ends = new Map<string, { net: StoredNetwork; link: Link }>();
    for (const n of this.ctx.nets.values()) for (const l of n.links) for (const e of l.ends) ends.set(e.mac.toLowerCase(), { net: n, link: l });
    for (const c of changes) {
      if (c.action !== 'remove_nic' && c.action !== 'replace_nic' && c.action !== 'set_nic_rate') continue;
      const end = ends.get(c.mac.toLowerCase());
      if (!end) continue;
      const linkRate = rateOf(end.link.limitBitsPerSecond);
      const unchanged = c.action === 'set_nic_rate' ? sameRate(c.rate, linkRate)
        : c.action === 'replace_nic' ? c.nic.bridge === end.link.switch && sameRate(c.nic.rate ?? null, linkRate)
          : false;
      if (unchanged) continue;
      const how = c.action === 'set_nic_rate' ? 'change its bandwidth with SetLinkBandwidth' : 'remove the link first (RemoveLink)';
      throw new VirtError('conflict', `interface ${c.mac} of '${c.system}' is an end of link '${end.link.name}' of network '${end.net.name}': ${how}`);
    }
  }

  /** @internal VirtManager: a link's switch is removed with its link (RemoveLink), not on its own. */
  guardSwitchDestroy(name: string): void {
    for (const n of this.ctx.nets.values()) {
      const link = n.links.find((l) => l.switch === name);
      if (link) throw new VirtError('conflict', `the switch '${name}' is link '${link.name}' of the network '${n.name}': remove the link (RemoveLink) or destroy the network`);
    }
  }

  /** @internal VirtManager: a system was deleted (it leaves its network) or renamed (the network follows). */
  systemDeleted(name: string): Promise<void> {
    return forgetMember(this.ctx, name);
  }

  /** @internal VirtManager: a system migrated to another host: it leaves its network, as a deleted one does. */
  systemMoved(name: string): Promise<void> {
    return forgetMember(this.ctx, name, 'moved to another host');
  }

  /** @internal */
  systemRenamed(from: string, to: string): Promise<void> {
    return renameMember(this.ctx, from, to);
  }

  /**
   * Drive every member towards a whole-network state: 'already', or a job whose result is every
   * member's outcome; when a member fails the job fails, naming them, and outcomes(job.id) has all.
   */
  async requestStateChange(network: string, target: NetworkTarget, opts: NetworkStateOptions = {}): Promise<NetworkStateChange> {
    // One read of the systems: the network as it was (for the change event) and the members' states the job starts from.
    const before = await this.snapshot(network);
    const change = await this.settled(requestNetworkState(this.ctx, network, target, opts, before?.systems));
    // The whole network's state once every member has got where it could (job ended either way).
    if (change.kind === 'job') void change.job.done.catch(() => undefined).then(() => this.report('modified', network, before?.snapshot));
    return change;
  }
}
