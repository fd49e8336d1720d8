// Which alarms the stack raises, and at what thresholds: pure, so the list is testable without resources. The
// specs themselves are per service: stack/monitoring/rds-alarm-specs.ts (instances, writer, replicas, RDS
// Proxy) and redis-alarm-specs.ts (replication group nodes); AlarmSpec is in alarm-spec.ts.
import { type LogicalReplicationSettings, logicalReplication } from "../postgres/rds-settings";
import type { InstanceAlarmSettings } from "./rds-alarm-specs";
import type { AlarmSpec } from "./alarm-spec";
import { instanceAlarms, primaryAlarms, proxyAlarm, replicaLagAlarm } from "./rds-alarm-specs";
import { type RedisMember, redisMemberAlarms } from "./redis-alarm-specs";

export type { AlarmSpec } from "./alarm-spec";
export { FREE_STORAGE_ALARM_FRACTION, MAX_USED_XIDS_THRESHOLD } from "./rds-alarm-specs";
export type { RedisMember } from "./redis-alarm-specs";
export { redisMemberAlarms, redisMemberIds } from "./redis-alarm-specs";

export function databaseAlarms(
  pg: InstanceAlarmSettings & LogicalReplicationSettings,
  ids: { primary: string; replicas: string[]; redisMembers: RedisMember[]; proxyName?: string },
): AlarmSpec[] {
  const perInstance = [ids.primary, ...ids.replicas].flatMap((id) => instanceAlarms(pg, id));
  const replicaLag = ids.replicas.map((id) => replicaLagAlarm(id, 60));
  const primary = primaryAlarms(ids.primary, logicalReplication(pg));
  const proxy = ids.proxyName ? [proxyAlarm(ids.proxyName)] : [];
  const redis = ids.redisMembers.flatMap((m) => redisMemberAlarms(m.key, { CacheClusterId: m.id }));
  return [...perInstance, ...primary, ...replicaLag, ...proxy, ...redis];
}

/**
 * A cross-region replica's alarms, created in its region (stack/monitoring/alarms.ts `region`): the instance
 * alarms and its lag, at 5 minutes rather than 60 s, since the WAL crosses regions asynchronously.
 */
export function crossRegionReplicaAlarms(pg: InstanceAlarmSettings, id: string): AlarmSpec[] {
  return [...instanceAlarms(pg, id), replicaLagAlarm(id, 300)];
}
