/**
 * Two simulated hosts on this machine, each with its own data directory (siblings, named after
 * the hosts) and its own in-process server: hostA knows hostB as a peer (serve --peer, its
 * credentials in hostA's peers.json).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { addUser } from '../../../src/http/users.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AppServer, type AppServerOptions, startAppServer } from '../../support/app-server.js';
import { extrinsic, type ClientOptions } from '../../support/cim-client.js';
import { xlBehindTheBack } from '../../support/xl-backend.js';

export const ADMIN = { name: 'admin', password: 'secret-pw', role: 'admin' as const };
export const READER = { name: 'viewer', password: 'viewer-pw', role: 'reader' as const };

export interface Hosts {
  base: string;
  a: AppServer;
  b: AppServer;
  /** CIM-XML client options for hostA's server (root/virt, admin). */
  cimA: ClientOptions;
  restartA(): Promise<void>;
  restartB(): Promise<void>;
  close(): Promise<void>;
}

let adminUsers: Promise<string> | undefined;

/** A users file holding ADMIN and READER, written once per process. */
function adminUsersFile(): Promise<string> {
  adminUsers ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-mig-users-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'users.json');
    await addUser(file, ADMIN.name, ADMIN.password, ADMIN.role);
    await addUser(file, READER.name, READER.password, READER.role);
    return file;
  })();
  return adminUsers;
}

export async function startHosts(host: Record<string, unknown> = {}, hostB: Record<string, unknown> = host): Promise<Hosts> {
  const base = mkdtempSync(path.join(tmpdir(), 'xen-wbem-mig-'));
  const dataA = path.join(base, 'hostA');
  const dataB = path.join(base, 'hostB');
  const common: AppServerOptions = { users: [ADMIN, READER], keepData: true };
  // The uplink is a port of br1, so the switches the tests remove (xenbr0, br-a) carry guests only.
  const simHost = (h: Record<string, unknown>) => ({ shutdown_seconds: 0.2, migration_mib_per_sec: 4096, uplink_bridge: 'br1', ...h });
  const startB = () => startAppServer({ ...common, dataDir: dataB, hostName: 'hostB', host: simHost(hostB) });
  const h = { base } as Hosts;
  // The admin's users file, hashed once per process (scrypt is tens of ms of CPU a time, and these tests start many hosts).
  for (const d of [dataA, dataB]) {
    mkdirSync(d, { recursive: true });
    copyFileSync(await adminUsersFile(), path.join(d, 'users.json'));
  }
  h.b = await startB();
  writeFileSync(path.join(dataA, 'peers.json'), JSON.stringify({ version: 1, peers: { hostB: { user: ADMIN.name, password: ADMIN.password } } }), { mode: 0o600 });
  const startA = () => startAppServer({ ...common, dataDir: dataA, hostName: 'hostA', host: simHost(host), peers: [{ name: 'hostB', url: `http://127.0.0.1:${h.b.port}/cimom` }] });
  h.a = await startA();
  const client = () => ({ port: h.a.port, user: ADMIN.name, password: ADMIN.password, namespace: 'root/virt' });
  Object.defineProperty(h, 'cimA', { get: client });
  h.restartA = async () => { await h.a.close(); h.a = await startA(); };
  h.restartB = async () => {
    await h.b.close();
    h.b = await startB();
  };
  h.close = async () => {
    await h.a.close().catch(() => {});
    await h.b.close().catch(() => {});
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  };
  return h;
}

/** A running router on hostA with policies only its stored definition holds. */
export async function routerOnA(h: Hosts, name = 'router1'): Promise<void> {
  await h.a.server.virt.defineSystem({
    name, type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz-router' }, nics: [{ bridge: 'xenbr0' }], autostart: true, priority: 7,
  });
  await h.a.server.virt.requestState(name, 'running');
}

export function csRef(name: string): string {
  return `<INSTANCENAME CLASSNAME="Xen_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_ComputerSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">${name}</KEYVALUE></KEYBINDING></INSTANCENAME>`;
}

export const SERVICE_A = {
  className: 'Xen_VirtualSystemMigrationService',
  keys: { CreationClassName: 'Xen_VirtualSystemMigrationService', Name: 'MigrationService', SystemCreationClassName: 'Xen_HostSystem', SystemName: 'hostA' },
};

/** MigrateVirtualSystemToHost / CheckVirtualSystemIsMigratableToHost over CIM-XML on hostA. */
export function toHost(h: Hosts, method: 'MigrateVirtualSystemToHost' | 'CheckVirtualSystemIsMigratableToHost', system: string, dest: string, extra = '') {
  return extrinsic(h.cimA, method, SERVICE_A,
    `<PARAMVALUE NAME="ComputerSystem" PARAMTYPE="reference"><VALUE.REFERENCE>${csRef(system)}</VALUE.REFERENCE></PARAMVALUE>` +
    `<PARAMVALUE NAME="DestinationHost" PARAMTYPE="string"><VALUE>${dest}</VALUE></PARAMVALUE>${extra}`);
}

/** `xl list` of a host's simulator, straight from its state directory. */
export async function xlList(server: AppServer): Promise<string> {
  return (await xlBehindTheBack(server.dataDir, 'list')).stdout;
}

export function writeFaults(server: AppServer, faults: unknown): void {
  writeFileSync(path.join(server.dataDir, 'xl-sim', 'faults.json'), JSON.stringify(faults));
}
