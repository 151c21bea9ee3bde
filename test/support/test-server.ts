/**
 * Starts the real server stack (http → dispatcher → cimxml → operations) on an ephemeral
 * loopback port over the test schema and test provider, optionally with Basic auth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Repository } from '../../src/repository/index.js';
import { compileMofFile } from '../../src/mof/index.js';
import { parseEmbeddedObject } from '../../src/cimxml/index.js';
import { Operations, ProviderRegistry } from '../../src/operations/index.js';
import { createAuthenticator, createHttpApp, startServers } from '../../src/http/index.js';
import { addUser } from '../../src/http/users.js';
import { createDispatcher } from '../../src/dispatcher.js';
import type { Role } from '../../src/operations/provider.js';
import { TEST_NS, TestStore, createTestProviders, seedStore } from './test-provider.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface TestUser {
  name: string;
  password: string;
  role: Role;
}

export interface TestServer {
  port: number;
  url: string;
  store: TestStore;
  audit: unknown[];
  log: string[];
  close(): Promise<void>;
}

export async function startTestServer(opts: { users?: TestUser[]; bulk?: number; widgets?: number; realSchema?: boolean } = {}): Promise<TestServer> {
  const repository = new Repository();
  repository.addNamespace(TEST_NS);
  await compileMofFile(path.join(REPO_ROOT, 'test', 'support', 'test-schema.mof'), repository, { namespace: TEST_NS });
  // The product schema too, for class operations at realistic size (benchmarks).
  if (opts.realSchema) await compileMofFile(path.join(REPO_ROOT, 'mof', 'virt.mof'), repository, { namespace: 'root/virt' });
  const store = new TestStore();
  seedStore(store, opts);
  const registry = new ProviderRegistry();
  for (const p of createTestProviders(store)) registry.register(TEST_NS, p);
  const audit: unknown[] = [];
  const log: string[] = [];
  const operations = new Operations({
    repository, registry, parseEmbeddedObject, hostName: 'testhost', audit: (e) => audit.push(e),
  });
  const handler = createDispatcher({ operations, hostName: 'testhost', log: (l) => log.push(l) });
  let dir: string | undefined;
  let auth = null;
  if (opts.users?.length) {
    dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-users-'));
    const file = path.join(dir, 'users.json');
    for (const u of opts.users) await addUser(file, u.name, u.password, u.role);
    auth = createAuthenticator(file);
  }
  const app = createHttpApp({ handler, auth, log: (l) => log.push(l) });
  const servers = await startServers(app, { listen: '127.0.0.1', port: 0, auth: auth !== null });
  return {
    port: servers.httpPort,
    url: `http://127.0.0.1:${servers.httpPort}`,
    store,
    audit,
    log,
    async close() {
      await servers.close();
      operations.close();
      if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}
