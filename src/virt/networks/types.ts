/**
 * Virtual networks, hypervisor-neutral: a named topology of virtual systems (routers), virtual
 * switches and point-to-point links, persisted like definitions and driven as a whole. What a
 * network is, what a client asks for, and the picture it is drawn from (docs/networks.md).
 */
import type { SystemState } from '../states.js';

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
  /** Launch order: higher first; members of equal priority start concurrently. Default 0. */
  priority?: number;
}

export interface NetworkSpec {
  /** Same rules as a system name. */
  name: string;
  members: NetworkMemberSpec[];
  /** Shared switches of the network (besides each link's own); created when the host lacks them. */
  switches?: string[];
  links?: LinkSpec[];
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
