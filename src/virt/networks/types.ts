/**
 * Virtual networks, hypervisor-neutral: a named topology of virtual systems (routers), virtual
 * switches and point-to-point links, persisted like definitions and driven as a whole. What a
 * network is, what a client asks for, and the picture it is drawn from (docs/networks.md).
 */
import { VirtError } from '../errors.js';
import type { SystemState } from '../states.js';
import type { Rate, VirtualSystem } from '../types.js';

/** One end of a link: an interface of a member system (MAC), created on the link's switch when absent. */
export interface LinkEnd {
  system: string;
  /** The interface; when absent at definition, one is added to the system on the link's switch. */
  mac?: string;
}

export interface LinkSpec {
  /** Unique within its network. */
  name: string;
  ends: [LinkEnd, LinkEnd];
  /** The link's own switch; generated (a valid bridge name) when absent. */
  switch?: string;
  /** Upper bound of each direction, bit/s; absent: unlimited. */
  limitBitsPerSecond?: number;
  /** Guaranteed share, bit/s, admitted against the uplink bandwidth net of overhead; absent: none. */
  reservationBitsPerSecond?: number;
}

export interface NetworkMemberSpec {
  system: string;
  /** Launch order: higher first; members of equal priority start concurrently. Default: the system's own priority. */
  priority?: number;
}

export interface NetworkSpec {
  /** Same rules as a system name. */
  name: string;
  members: NetworkMemberSpec[];
  /** Shared switches of the network (besides each link's own); created when the host lacks them. */
  switches?: string[];
  links?: LinkSpec[];
  /**
   * Of `switches`, those the caller created for this network just before (a new router's interface
   * needed its switch first): recorded as the network's own, so destroying it removes them too.
   */
  madeForIt?: string[];
  /**
   * Set by a caller that reserved the name (NetworkManager.reserve) before making the new routers
   * and switches it names there: the define takes that reservation over.
   */
  reserved?: boolean;
}

/** A new router a caller makes for a network it is defining: found again by name and UUID. */
export interface NewRouter {
  name: string;
  uuid: string;
}

/** A link as stored: both ends resolved to interfaces, its switch named. */
export interface Link extends LinkSpec {
  ends: [Required<LinkEnd>, Required<LinkEnd>];
  switch: string;
}

/** The whole-network state a client asks for (RequestStateChange on the network). */
export type NetworkTarget = 'running' | 'paused' | 'suspended' | 'stopped';

/** What the network's members are in: one state when they agree, 'mixed' otherwise. */
export type NetworkState = NetworkTarget | 'mixed' | 'empty';

export interface VirtualNetwork {
  name: string;
  members: Required<NetworkMemberSpec>[];
  /** Switches the network created or uses (link switches included). */
  switches: string[];
  links: Link[];
  state: NetworkState;
  /** The last whole-network state asked for, persisted. */
  requested?: NetworkTarget;
}

/** The outcome of a whole-network state change for one member. */
export interface MemberOutcome {
  system: string;
  ok: boolean;
  /** The state the member was left in (never unknown: read back after a failure). */
  state: SystemState;
  error?: string;
}

/** What a drawing needs, from one consistent read (GET /networks/NAME.svg, `xen-wbem network show`). */
export interface NetworkPicture {
  name: string;
  state: NetworkState;
  systems: { name: string; state: SystemState; priority: number; interfaces: { mac: string; switch: string; limitBitsPerSecond?: number }[] }[];
  switches: { name: string; up: boolean; link?: string }[];
  links: { name: string; switch: string; ends: [{ system: string; mac: string }, { system: string; mac: string }]; limitBitsPerSecond?: number; reservationBitsPerSecond?: number }[];
  /** Advertised uplink bandwidth the reservations are admitted against (net of overhead), bit/s; no physical name. */
  uplinkBitsPerSecond: number;
  reservedBitsPerSecond: number;
}

/** A link's bandwidth change (SetLinkBandwidth): a field absent keeps its value, null removes it. */
export interface LinkBandwidth {
  limitBitsPerSecond?: number | null;
  reservationBitsPerSecond?: number | null;
}

/** What the network store holds: the network as defined, and what defining it created (undone by destroy). */
export interface StoredNetwork {
  version: 1;
  name: string;
  members: Required<NetworkMemberSpec>[];
  /** The shared switches named at definition (link switches are in `links`). */
  switches: string[];
  links: Link[];
  requested?: NetworkTarget;
  /** Switches and interfaces the network created: destroy removes exactly these. */
  created: { switches: string[]; interfaces: { system: string; mac: string }[] };
  /** A define or an added link under way (intent.ts): rolled back at start-up if still there. */
  pending?: NetworkIntent;
}

/** What a define or an added link is about to make, stored before it makes anything (intent.ts). */
export interface NetworkIntent {
  op: 'define' | 'add_link';
  /** Switches it may create (none of them existed when it was planned). */
  switches: string[];
  /** Of those, the link switches: every member interface on one of them is its own. */
  linkSwitches: string[];
  /** Interfaces it adds, by the MAC chosen for each before it is added (absent in records of older versions). */
  interfaces?: { system: string; mac: string }[];
  /** Interfaces given by MAC whose rate it changes, with the rate they had. */
  rates: { system: string; mac: string; old: Rate | null }[];
  /** A define's new routers (made by its caller for it): a crash's roll-back removes them too. */
  systems?: NewRouter[];
}

/**
 * A save that failed after the record was replaced (its directory could not be synced): the store
 * holds the new version, not durably. The model counts it as saved, with a warning.
 */
export class SavedNotDurably extends VirtError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('failed', message, undefined, options);
  }
}

/**
 * Where networks are kept (wired by the server: one file per network, written atomically). The
 * model holds them in memory after load(); save() and remove() must be durable when they return;
 * a save that fails after replacing the record throws SavedNotDurably.
 */
export interface NetworkStore {
  /** Every stored network; leftovers of an interrupted write are cleaned, unreadable files set aside. */
  load(): Promise<{ networks: StoredNetwork[]; cleanedTempFiles: number; quarantined: string[] }>;
  save(network: StoredNetwork): Promise<void>;
  remove(name: string): Promise<void>;
}

/** A store in memory only (tests, and a model wired without a data directory). */
export class MemoryNetworkStore implements NetworkStore {
  readonly data = new Map<string, StoredNetwork>();
  async load(): Promise<{ networks: StoredNetwork[]; cleanedTempFiles: number; quarantined: string[] }> {
    return { networks: [...this.data.values()].map((n) => structuredClone(n)), cleanedTempFiles: 0, quarantined: [] };
  }
  async save(network: StoredNetwork): Promise<void> {
    this.data.set(network.name, structuredClone(network));
  }
  async remove(name: string): Promise<void> {
    this.data.delete(name);
  }
}

export const NETWORK_TARGETS: readonly NetworkTarget[] = ['running', 'paused', 'suspended', 'stopped'];

/**
 * A network as its change events carry it (ModelEvents element 'network'): with its members'
 * systems and the advertised uplink, as read at the time of the change.
 */
export interface NetworkSnapshot {
  network: VirtualNetwork;
  systems: VirtualSystem[];
  uplinkBitsPerSecond?: number;
}

