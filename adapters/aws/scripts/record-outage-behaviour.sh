#!/usr/bin/env bash
# Records, on a scratch AWS account, what only a real account can settle for
# the aws adapter (see "Real-account checklist" in adapters/aws/README.md):
# what RDS reports for a replica's lag and replication state while its
# primary is unreachable, what DescribeInstances does during an outage, and
# the exact refusal codes of stop, reboot and promote.
#
# Not run in CI. Needs the AWS CLI v2 and credentials for a SCRATCH account:
# the refusal probes send StopDBInstance / RebootDBInstance /
# PromoteReadReplica requests that RDS is expected to refuse; on an account
# where they would succeed they change things. Read the checklist first.
#
# Usage:
#   record-outage-behaviour.sh REGION PRIMARY_ID REPLICA_ID [SAMPLES] [INTERVAL_SECONDS] > record.jsonl
# Each line is one JSON object: {"t": ..., "probe": ..., "result": ...}.
# Bounded: SAMPLES (default 30) rounds, INTERVAL_SECONDS (default 20) apart.
set -euo pipefail

region=${1:?region}
primary=${2:?primary DB instance id}
replica=${3:?replica DB instance id}
samples=${4:-30}
interval=${5:-20}

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# Runs an AWS CLI call and prints one JSON line with its output or its error code.
record() {
  local probe=$1; shift
  local out rc
  set +e
  out=$(aws --region "$region" --output json "$@" 2>&1)
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    printf '{"t":"%s","probe":"%s","ok":true,"result":%s}\n' "$(now)" "$probe" "${out:-null}"
  else
    local code
    code=$(printf '%s' "$out" | sed -n 's/.*(\([A-Za-z.]*\)).*/\1/p' | head -1)
    printf '{"t":"%s","probe":"%s","ok":false,"code":"%s","message":%s}\n' "$(now)" "$probe" "$code" "$(printf '%s' "$out" | head -c 500 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
  fi
}

# Refusals: each is expected to be refused; the code is what the adapter must map.
record stop-primary-with-replicas rds stop-db-instance --db-instance-identifier "$primary"
record stop-read-replica rds stop-db-instance --db-instance-identifier "$replica"

for i in $(seq 1 "$samples"); do
  end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  start=$(date -u -d '-10 minutes' +%Y-%m-%dT%H:%M:%SZ)
  record replica-status rds describe-db-instances --db-instance-identifier "$replica" \
    --query 'DBInstances[0].{status:DBInstanceStatus,engine:Engine,statusInfos:StatusInfos,source:ReadReplicaSourceDBInstanceIdentifier}'
  record primary-status rds describe-db-instances --db-instance-identifier "$primary" --query 'DBInstances[0].DBInstanceStatus'
  record replica-lag cloudwatch get-metric-data --start-time "$start" --end-time "$end" --scan-by TimestampDescending \
    --metric-data-queries "[{\"Id\":\"lagmax\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/RDS\",\"MetricName\":\"ReplicaLag\",\"Dimensions\":[{\"Name\":\"DBInstanceIdentifier\",\"Value\":\"$replica\"}]},\"Period\":60,\"Stat\":\"Maximum\"}},{\"Id\":\"lagmin\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/RDS\",\"MetricName\":\"ReplicaLag\",\"Dimensions\":[{\"Name\":\"DBInstanceIdentifier\",\"Value\":\"$replica\"}]},\"Period\":60,\"Stat\":\"Minimum\"}}]"
  record zones ec2 describe-availability-zones --query 'AvailabilityZones[].{zone:ZoneName,state:State}'
  record instances-region-wide ec2 describe-instances --max-results 5 --query 'Reservations[].Instances[].{id:InstanceId,zone:Placement.AvailabilityZone,state:State.Name}'
  [ "$i" -lt "$samples" ] && sleep "$interval"
done

# After the rounds: a reboot of a stopped instance and a promotion while backing up are
# refused by RDS; run these only when the named instance is in that state.
if [ "${PROBE_STOPPED_REBOOT:-}" != "" ]; then
  record reboot-stopped rds reboot-db-instance --db-instance-identifier "$PROBE_STOPPED_REBOOT"
fi
if [ "${PROBE_BACKING_UP_PROMOTE:-}" != "" ]; then
  record promote-backing-up rds promote-read-replica --db-instance-identifier "$PROBE_BACKING_UP_PROMOTE"
fi
