/**
 * Scenarios in which a good controller makes one expectation fail: proof that
 * every expectation kind can fail (a check that cannot fail is a defect).
 */
const topology = `
topology:
  providers:
    - id: aws
      regions:
        - id: us-east-1
          zones: [use1-a, use1-b, use1-c]
  groups:
    - id: web
      provider: aws
      region: us-east-1
      nodes: { use1-a: 2, use1-b: 2, use1-c: 2 }
  databases:
    - id: orders
      primary: { provider: aws, region: us-east-1, zone: use1-a }
      replicas:
        - { id: orders-b, provider: aws, region: us-east-1, zone: use1-b, mode: sync }
        - { id: orders-c, provider: aws, region: us-east-1, zone: use1-c, lag: 10s }
      writes: 100
`;
const outage = `
events:
  - at: 1m
    impair: { zone: use1-a, mode: unreachable }
`;

/** One scenario per expectation kind; the named kind fails. */
export const FAILING: Record<string, string> = {
  failover: `name: fails-failover\nduration: 10m\n${topology}\nevents: []\nexpect:\n  - failover: { database: orders }\n`,
  noFailover: `name: fails-nofailover\nduration: 10m\n${topology}${outage}expect:\n  - noFailover: { database: orders }\n`,
  never: `name: fails-never\nduration: 10m\n${topology}${outage}expect:\n  - never: { action: promoteReplica, zone: use1-b }\n`,
  capacity: `name: fails-capacity\nduration: 10m\n${topology}${outage}expect:\n  - capacity: { group: web, min: 50, within: 5m }\n`,
  maxDataLoss: `name: fails-maxdataloss\nduration: 10m\n${topology}
  - at: 30s
    replication: { database: orders, replica: orders-b, broken: true }
  - at: 1m
    impair: { zone: use1-a, mode: unreachable }
expect:
  - maxDataLoss: { database: orders, seconds: 1 }
`.replace('\nevents: []', ''),
  maxFailovers: `name: fails-maxfailovers\nduration: 10m\n${topology}${outage}expect:\n  - maxFailovers: { database: orders, count: 0 }\n`,
  maxCalls: `name: fails-maxcalls\nduration: 10m\n${topology}${outage}expect:\n  - maxCalls: { provider: aws, operation: listNodes, count: 3, per: 1m }\n`,
};
// maxDataLoss needs an events key of its own: the broken sync replica leaves only the 10 s async one.
FAILING.maxDataLoss = `name: fails-maxdataloss\nduration: 10m\n${topology}
events:
  - at: 30s
    replication: { database: orders, replica: orders-b, broken: true }
  - at: 1m
    impair: { zone: use1-a, mode: unreachable }
expect:
  - maxDataLoss: { database: orders, seconds: 1 }
`;

/** The topology above with r2 traffic: orders behind an endpoint, web behind a load balancer. */
const trafficTopology = topology.replace(
  '      writes: 100\n',
  '      writes: 100\n      endpoint: { provider: aws, name: orders.db.internal, ttl: 30s }\n  loadBalancers:\n    - { id: web-lb, provider: aws, region: us-east-1, group: web }\n',
);
const outageAndBack = `${outage}  - at: 5m\n    recover: { zone: use1-a }\n`;

/**
 * Scenario spec r2 expectation kinds, each failing with limits the
 * controller cannot meet: clients follow an endpoint change within its 30 s
 * TTL after it is served (30 s, alongside the 30 s promotion), a traffic
 * shift takes 60 s.
 */
export const FAILING_R2: Record<string, string> = {
  endpoint: `name: fails-endpoint\nduration: 10m\n${trafficTopology}${outage}expect:\n  - endpoint: { database: orders, within: 10s }\n`,
  maxWriteUnavailable: `name: fails-maxwriteunavailable\nduration: 10m\n${trafficTopology}${outage}expect:\n  - maxWriteUnavailable: { database: orders, seconds: 10 }\n`,
  maxRequestErrors: `name: fails-maxrequesterrors\nduration: 10m\n${trafficTopology}${outage}expect:\n  - maxRequestErrors: { loadBalancer: web-lb, seconds: 1 }\n`,
  // The old primary takes writes again the moment its zone is back, until the controller fences it.
  // The fence of the old primary fails until 5 s after its zone is back: it takes writes beside the new primary meanwhile.
  maxSplitBrain: `name: fails-maxsplitbrain\nduration: 10m\n${topology}${outageAndBack}  - at: 1m\n    apiFault: { provider: aws, region: us-east-1, operations: [stopDatabase], fault: error, until: 5m05s }\nexpect:\n  - maxSplitBrain: { database: orders, seconds: 0 }\n`,
};
