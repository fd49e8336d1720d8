// Where read replicas run and when AWS may patch them: pure, so the rules are testable without resources. A
// replica's availabilityZone is ForceNew (a replacement of a protected instance), so it must not follow the
// order of privateSubnets: zones are taken sorted, and ReplacementGuard refuses a change of the resulting
// placement.

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEK = 7 * 24 * 60;

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

function minutesOf(point: string): number {
  const [day, hh, mm] = point.split(":");
  return DAYS.indexOf(day) * 24 * 60 + Number(hh) * 60 + Number(mm);
}

function pointOf(minutes: number): string {
  const m = ((minutes % WEEK) + WEEK) % WEEK;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[Math.floor(m / 1440)]}:${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`;
}

/**
 * Without a maintenanceWindow AWS picks a random 30-minute slot per replica (RDS user guide, "Maintaining a
 * DB instance": "If you don't specify a preferred maintenance window … a 30-minute value is assigned at
 * random"). Replica i gets the window right after the previous one, so no two instances of the cluster patch
 * together.
 */
export function replicaMaintenanceWindows(primaryWindow: string, replicaCount: number): string[] {
  const [start, end] = primaryWindow.split("-").map(minutesOf);
  const length = (((end - start) % WEEK) + WEEK) % WEEK;
  return Array.from({ length: replicaCount }, (_, i) => {
    const from = start + (i + 1) * length;
    return `${pointOf(from)}-${pointOf(from + length)}`;
  });
}

/** The cross-region replica's identifier: fixed (its log groups are created first) and naming its region. */
export function crossRegionReplicaIdentifier(primary: string, region: string): string {
  return `${primary}-replica-${region}`;
}
