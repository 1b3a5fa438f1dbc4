// The standard Patroni stack, three members on loopback (one per simulated zone): Debian's
// `patroni` with PostgreSQL 15, one etcd (`etcd-server`, the etcd3 API), and HAProxy in
// front routing to the member whose REST API answers 200 on `/primary`. The client knows
// HAProxy's address only. etcd and HAProxy stand outside the zones, as Lifeboat's
// controller and endpoint do, so the fault freezes one member (Patroni and its PostgreSQL).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freezeTrees, killTrees } from './processTree.js';
import { postmasterPid } from './postmaster.js';
import { chownTree, freePorts, ownedTempDir, PG_BIN, postgresUser, startProcess, waitFor } from './system.js';

/** Patroni's defaults, and the most aggressive timing 3.0.2 accepts (loop_wait + 2 * retry_timeout <= ttl). */
export const PATRONI_TIMINGS = {
  defaults: { ttl: 30, loop_wait: 10, retry_timeout: 10 },
  aggressive: { ttl: 5, loop_wait: 1, retry_timeout: 2 },
};

/**
 * HAProxy's checks: Patroni's template (`inter 3s fall 3 rise 2`) with its defaults; with the
 * aggressive timing, checks as tight as the timing (`inter 1s fall 2 rise 1`), so the proxy
 * does not hide how fast Patroni itself is.
 */
export const HAPROXY_CHECKS = {
  defaults: 'inter 3s fall 3 rise 2',
  aggressive: 'inter 1s fall 2 rise 1',
};

function memberConfig({ name, dir, etcdPort, pgPort, restPort, timing }) {
  const data = join(dir, name);
  return `scope: bench
name: ${name}
log: { level: WARNING }
restapi: { listen: 127.0.0.1:${restPort}, connect_address: 127.0.0.1:${restPort} }
etcd3: { hosts: 127.0.0.1:${etcdPort} }
bootstrap:
  dcs:
    ttl: ${timing.ttl}
    loop_wait: ${timing.loop_wait}
    retry_timeout: ${timing.retry_timeout}
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      parameters: { wal_level: replica, hot_standby: "on", wal_log_hints: "on", max_wal_senders: 10, max_replication_slots: 10 }
  initdb: [{ encoding: UTF8 }]
  pg_hba:
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${pgPort}
  connect_address: 127.0.0.1:${pgPort}
  data_dir: ${data}
  bin_dir: ${PG_BIN}
  pgpass: ${join(dir, `pgpass-${name}`)}
  authentication:
    superuser: { username: postgres }
    replication: { username: postgres }
  parameters: { unix_socket_directories: '${dir}' }
`;
}

async function rest(port, path) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return response?.status;
}

/** Starts the stack with `timing` (a key of {@link PATRONI_TIMINGS}); resolves once a sync standby streams. */
export async function startPatroniStack(timingName) {
  const timing = PATRONI_TIMINGS[timingName];
  const user = postgresUser();
  const dir = ownedTempDir('peer-patroni-', user);
  const [etcdPort, etcdPeerPort, haproxyPort, ...ports] = await freePorts(9);
  const members = ['m1', 'm2', 'm3'].map((name, i) => ({ name, pgPort: ports[i], restPort: ports[3 + i], data: join(dir, name) }));
  const processes = [];
  const close = async () => {
    for (const p of processes.reverse()) await p.stop(8000);
    for (const m of members) {
      const pid = postmasterPid(m.data);
      if (pid) killTrees([pid]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcd = startProcess('etcd', [
      '--name', 'bench', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
      '--initial-cluster', `bench=http://127.0.0.1:${etcdPeerPort}`,
    ], { log: join(dir, 'etcd.log') });
    processes.push(etcd);
    await waitFor('etcd to answer', 30_000, async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`, { signal: AbortSignal.timeout(1000) })).ok);

    for (const [i, m] of members.entries()) {
      const config = join(dir, `${m.name}.yml`);
      writeFileSync(config, memberConfig({ name: m.name, dir, etcdPort, pgPort: m.pgPort, restPort: m.restPort, timing }));
      chownTree(dir, user);
      m.process = startProcess('patroni', [config], { log: join(dir, `${m.name}.log`), user, env: { HOME: dir } });
      processes.push(m.process);
      // The first member bootstraps the cluster; the others clone it once it leads.
      if (i === 0) await waitFor('the first Patroni member to lead', 180_000, async () => (await rest(m.restPort, '/primary')) === 200, 500);
    }
    await waitFor('a Patroni sync standby and a second replica', 120_000, async () => {
      const sync = await Promise.all(members.map((m) => rest(m.restPort, '/sync')));
      const replica = await Promise.all(members.map((m) => rest(m.restPort, '/replica')));
      return sync.filter((s) => s === 200).length === 1 && replica.filter((s) => s === 200).length === 2;
    }, 500);

    const haproxyConfig = join(dir, 'haproxy.cfg');
    writeFileSync(haproxyConfig, `global
  maxconn 100
defaults
  mode tcp
  retries 2
  timeout client 30m
  timeout connect 4s
  timeout server 30m
  timeout check 5s
listen primary
  bind 127.0.0.1:${haproxyPort}
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server ${HAPROXY_CHECKS[timingName]} on-marked-down shutdown-sessions
${members.map((m) => `  server ${m.name} 127.0.0.1:${m.pgPort} maxconn 100 check port ${m.restPort}`).join('\n')}
`);
    processes.push(startProcess('haproxy', ['-db', '-f', haproxyConfig], { log: join(dir, 'haproxy.log') }));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    uri: `postgres://postgres@127.0.0.1:${haproxyPort}/postgres`,
    /** Freezes the member serving `port`: Patroni and its PostgreSQL with every backend. */
    freezeZoneOf(port) {
      const member = members.find((m) => m.pgPort === port);
      if (!member) throw new Error(`no Patroni member serves port ${port}`);
      return freezeTrees([member.process.pid, postmasterPid(member.data)].filter(Boolean));
    },
    close,
  };
}
