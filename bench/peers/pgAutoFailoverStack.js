// pg_auto_failover 2.0 from Debian (`postgresql-15-auto-failover`): a monitor and two
// Postgres nodes on loopback, each node in its own simulated zone, the monitor outside the
// zones (as Lifeboat's controller is). The client uses the formation's multi-host URI from
// `pg_autoctl show uri` (target_session_attrs=read-write). The fault freezes one node:
// its `pg_autoctl` and its PostgreSQL with every backend. Default settings throughout.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freezeTrees, killTrees } from './processTree.js';
import { postmasterPid } from './postmaster.js';
import { freePorts, ownedTempDir, PG_BIN, postgresUser, startProcess, waitFor } from './system.js';

/** Starts the monitor and both nodes; resolves once one is `primary` and the other `secondary`. */
export async function startPgAutoFailoverStack() {
  const user = postgresUser();
  const dir = ownedTempDir('peer-pgaf-', user);
  const [monitorPort, ...ports] = await freePorts(3);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), PATH: `${PG_BIN}:${process.env.PATH}`, PG_CONFIG: `${PG_BIN}/pg_config` };
  const monitorData = join(dir, 'monitor');
  const monitorUri = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`;
  const nodes = ports.map((pgPort, i) => ({ name: `node${i + 1}`, pgPort, data: join(dir, `node${i + 1}`) }));
  const processes = [];
  const autoctl = (args) =>
    execFileSync('pg_autoctl', args, { encoding: 'utf8', uid: user.uid, gid: user.gid, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const close = async () => {
    for (const p of processes.reverse()) await p.stop(8000);
    for (const data of [monitorData, ...nodes.map((n) => n.data)]) {
      const pid = postmasterPid(data);
      if (pid) killTrees([pid]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const states = () => JSON.parse(autoctl(['show', 'state', '--pgdata', monitorData, '--json']));
  try {
    processes.push(
      startProcess('pg_autoctl', ['create', 'monitor', '--pgdata', monitorData, '--pgport', String(monitorPort), '--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--pgctl', `${PG_BIN}/pg_ctl`, '--run'], {
        log: join(dir, 'monitor.log'), user, env, cwd: dir,
      }),
    );
    await waitFor('the pg_auto_failover monitor', 180_000, () => (autoctl(['show', 'state', '--pgdata', monitorData]), true), 500);
    for (const [i, node] of nodes.entries()) {
      node.process = startProcess('pg_autoctl', [
        'create', 'postgres', '--pgdata', node.data, '--pgport', String(node.pgPort), '--hostname', '127.0.0.1', '--name', node.name,
        '--auth', 'trust', '--no-ssl', '--pgctl', `${PG_BIN}/pg_ctl`, '--monitor', monitorUri, '--run',
      ], { log: join(dir, `${node.name}.log`), user, env, cwd: dir });
      processes.push(node.process);
      // The second node registers once the first is a primary (the monitor serialises them).
      const want = i === 0 ? ['single'] : ['primary', 'secondary'];
      await waitFor(`pg_auto_failover ${node.name} to be ready`, 120_000, () => {
        const reported = states().map((s) => s.reported_state ?? s.current_group_state);
        return want.every((w) => reported.includes(w)) && reported.length === i + 1;
      }, 500);
    }
  } catch (error) {
    await close();
    throw error;
  }
  let uri;
  try {
    uri = autoctl(['show', 'uri', '--pgdata', monitorData, '--formation', 'default']).trim();
  } catch {
    uri = '';
  }
  if (!uri.startsWith('postgres')) uri = `postgres://127.0.0.1:${nodes[0].pgPort},127.0.0.1:${nodes[1].pgPort}/postgres?target_session_attrs=read-write`;
  // The formation's URI names no user; the bench connects as the servers' owner, as libpq would by default.
  uri = uri.replace(/^postgres(ql)?:\/\//, 'postgres://postgres@').replace(/sslmode=[a-z-]+/, 'sslmode=disable');
  return {
    uri,
    freezeZoneOf(port) {
      const node = nodes.find((n) => n.pgPort === port);
      if (!node) throw new Error(`no pg_auto_failover node serves port ${port}`);
      return freezeTrees([node.process.pid, postmasterPid(node.data)].filter(Boolean));
    },
    close,
  };
}
