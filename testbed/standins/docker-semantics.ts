// The real provider's rules the stand-in follows, as plain functions (unit-tested in
// test/unit/docker-standin.test.ts). Sources: terraform-provider-docker (bridged by pulumi-docker 5.x),
// internal/provider/resource_docker_container.go (schema: ForceNew, TypeSet) and
// resource_docker_container_funcs.go (create/read/update/delete); the official postgres and redis images'
// Dockerfiles (service users, STOPSIGNAL).
import { plain } from "./kit";

type Props = Record<string, unknown>;

/**
 * Container properties the provider changes without a replacement: `resourceDockerContainerUpdate` applies
 * the first six with ContainerUpdate; the others are not ForceNew and only steer the provider itself
 * (create's wait, read's must_run check, delete's grace period), so changing them is an in-place update that
 * touches nothing.
 */
export const CONTAINER_IN_PLACE: readonly string[] = [
  "restart",
  "maxRetryCount",
  "cpuShares",
  "memory",
  "cpuSet",
  "memorySwap",
  "wait",
  "waitTimeout",
  "mustRun",
  "healthcheck",
  "destroyGraceSeconds",
  "start",
  "attach",
  "logs",
  "containerReadRefreshTimeoutMilliseconds",
];

/** Container properties typed TypeSet in the schema: their order means nothing, to the diff either. */
export const CONTAINER_SETS: readonly string[] = [
  "envs",
  "uploads",
  "volumes",
  "labels",
  "networksAdvanced",
  "capabilities",
  "devices",
  "dns",
  "dnsOpts",
  "dnsSearches",
  "groupAdds",
  "hosts",
  "links",
  "mounts",
  "securityOpts",
  "ulimits",
];

/** Outputs the provider computes; never compared with inputs. */
const COMPUTED = ["imageId", "repoDigest", "mountpoint", "running", "exitCode", "networkDatas", "bridge"];

function canonical(value: unknown, isSet: boolean): string {
  const v = plain(value) ?? null;
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, false));
    return `[${(isSet ? items.sort() : items).join(",")}]`;
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v as Props)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      // Nested lists inside a set element (networksAdvanced.aliases) are sets as well.
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x, isSet || k === "aliases")}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The container diff as the bridged provider reports it: what changed, and which of those force a
 * replacement.
 */
export function containerDiff(olds: Props, news: Props): { changed: string[]; replaces: string[] } {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const changed = [...keys].filter(
    (k) =>
      !COMPUTED.includes(k) &&
      canonical(olds[k], CONTAINER_SETS.includes(k)) !== canonical(news[k], CONTAINER_SETS.includes(k)),
  );
  return { changed, replaces: changed.filter((k) => !CONTAINER_IN_PLACE.includes(k)) };
}

export type Service = "postgres" | "redis";

/**
 * The user the image's entrypoint drops to (gosu): `postgres` is uid 999 in the Debian image and 70 in the
 * Alpine one; `redis` is 999 in both (gid 999 / 1000).
 */
export function imageUser(image: string): { uid: number; gid: number; name: string } {
  const service = imageService(image);
  const alpine = /alpine/.test(image.split("/").pop() ?? "");
  if (service === "postgres")
    return alpine ? { uid: 70, gid: 70, name: "postgres" } : { uid: 999, gid: 999, name: "postgres" };
  return { uid: 999, gid: alpine ? 1000 : 999, name: "redis" };
}

export function imageService(image: string): Service | undefined {
  const repo = image.split("/").pop()?.split(/[:@]/)[0];
  return repo === "postgres" || repo === "redis" ? repo : undefined;
}

/** `docker stop` sends the image's STOPSIGNAL: SIGINT (fast shutdown) for postgres, SIGTERM for redis. */
export function stopSignal(service: Service): NodeJS.Signals {
  return service === "postgres" ? "SIGINT" : "SIGTERM";
}

/** Whether `user` may read a file with this owner, group and mode (no ACLs, no capabilities but root's). */
export function canRead(
  user: { uid: number; gid: number },
  file: { uid: number; gid: number; mode: number },
): boolean {
  if (user.uid === 0) return true;
  if (file.uid === user.uid) return (file.mode & 0o400) !== 0;
  if (file.gid === user.gid) return (file.mode & 0o040) !== 0;
  return (file.mode & 0o004) !== 0;
}

/** An upload's owner/group as numbers; the provider writes root-owned files when they are unset. */
export function uploadOwner(u: { owner?: string; group?: string }): { uid: number; gid: number } {
  const num = (s: string | undefined, what: string) => {
    if (s === undefined || s === "") return 0;
    if (!/^\d+$/.test(s)) throw new Error(`upload ${what} must be a numeric id here, got "${s}"`);
    return Number(s);
  };
  return { uid: num(u.owner, "owner"), gid: num(u.group, "group") };
}
