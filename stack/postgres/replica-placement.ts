// Where read replicas run and when AWS may patch them: pure, so the rules are testable without resources. A
// replica's availabilityZone is ForceNew (a replacement of a protected instance), so it must not follow the
// order of privateSubnets: zones are taken sorted, and ReplacementGuard refuses a change of the resulting
// placement.
import { weeklyPoint, weeklySpan } from "../../policy/windows";

/**
 * Sorted distinct zones: the primary's (when it is single-AZ) first, replicas round-robin over the others.
 */
export function placementZones(zones: readonly string[]): string[] {
  return [...new Set(zones)].sort();
}

export function replicaZones(zones: readonly string[], replicaCount: number): string[] {
  const sorted = placementZones(zones);
  const others = sorted.length > 1 ? sorted.slice(1) : sorted;
  return Array.from({ length: replicaCount }, (_, i) => others[i % others.length]);
}

/**
 * Without a maintenanceWindow AWS picks a random 30-minute slot per replica (RDS user guide, "Maintaining a
 * DB instance": "If you don't specify a preferred maintenance window … a 30-minute value is assigned at
 * random"). Replica i gets the window right after the previous one, so no two instances of the cluster patch
 * together.
 */
export function replicaMaintenanceWindows(primaryWindow: string, replicaCount: number): string[] {
  const { start, end } = weeklySpan(primaryWindow);
  const length = end - start;
  return Array.from({ length: replicaCount }, (_, i) => {
    const from = start + (i + 1) * length;
    return `${weeklyPoint(from)}-${weeklyPoint(from + length)}`;
  });
}

/** The cross-region replica's identifier: fixed (its log groups are created first) and naming its region. */
export function crossRegionReplicaIdentifier(primary: string, region: string): string {
  return `${primary}-replica-${region}`;
}
