/**
 * The command line: `xen-wbem serve [options]` and `xen-wbem user add|remove|list`.
 * Only parses and delegates; the wiring is in app.ts.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import { startServer } from './app.js';
import { addUser, listUsers, removeUser } from './http/users.js';
import type { Role } from './operations/provider.js';

const USAGE = `Usage:
  xen-wbem serve [--port 5988] [--https-port 5989 --tls-cert FILE --tls-key FILE]
                 [--listen 127.0.0.1] [--data ./var] [--xl PATH] [--users FILE]
                 [--host-name NAME] [--no-demo]
  xen-wbem user add NAME --role reader|operator|admin [--password-stdin] [--users FILE] [--data DIR]
  xen-wbem user remove NAME [--users FILE] [--data DIR]
  xen-wbem user list [--users FILE] [--data DIR]

Passwords for 'user add' come from the XEN_WBEM_PASSWORD environment variable or, with
--password-stdin, from the first line of standard input.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'user':
        return await user(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        console.error(`xen-wbem: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`xen-wbem: ${(e as Error).message}`);
    return 1;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'https-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      listen: { type: 'string' },
      data: { type: 'string' },
      xl: { type: 'string' },
      users: { type: 'string' },
      'host-name': { type: 'string' },
      'no-demo': { type: 'boolean' },
    },
    strict: true,
  });
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  if (values.port !== undefined) config.port = port(values.port, '--port');
  if (values['https-port'] !== undefined) config.httpsPort = port(values['https-port'], '--https-port');
  if (values['tls-cert'] !== undefined) config.tlsCert = values['tls-cert'];
  if (values['tls-key'] !== undefined) config.tlsKey = values['tls-key'];
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (values.listen !== undefined) config.listen = values.listen;
  if (values.data !== undefined) config.dataDir = values.data;
  if (values.xl !== undefined) config.xlPath = values.xl;
  if (values.users !== undefined) config.usersFile = values.users;
  if (values['host-name'] !== undefined) config.hostName = values['host-name'];
  if (values['no-demo']) config.demo = false;

  const server = await startServer(config, (line) => console.log(line));
  const stop = async (signal: string) => {
    console.log(`xen-wbem: ${signal}, shutting down`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return -1; // keep running
}

async function user(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      users: { type: 'string' },
      data: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    strict: true,
  });
  const file = values.users ?? path.join(values.data ?? DEFAULT_CONFIG.dataDir, 'users.json');
  const [sub, name] = positionals;
  switch (sub) {
    case 'add': {
      if (!name) throw new Error('user add needs a NAME');
      const role = values.role as Role | undefined;
      if (role !== 'reader' && role !== 'operator' && role !== 'admin') throw new Error('--role must be reader, operator or admin');
      const password = values['password-stdin']
        ? readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? ''
        : process.env.XEN_WBEM_PASSWORD ?? '';
      if (!password) throw new Error('no password: set XEN_WBEM_PASSWORD or use --password-stdin');
      await addUser(file, name, password, role);
      console.log(`user ${name} (${role}) written to ${file}`);
      return 0;
    }
    case 'remove': {
      if (!name) throw new Error('user remove needs a NAME');
      await removeUser(file, name);
      console.log(`user ${name} removed from ${file}`);
      return 0;
    }
    case 'list': {
      for (const u of await listUsers(file)) console.log(`${u.name}\t${u.role}`);
      return 0;
    }
    default:
      throw new Error(`unknown user command "${sub ?? ''}"\n${USAGE}`);
  }
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got "${text}"`);
  return n;
}
