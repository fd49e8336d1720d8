// What a dev config change does to the running stores, judged against what the stack last applied
// (stack/config-guard.ts): a host port that cannot be bound is refused before Docker removes the container
// it would replace; a change that replaces a store's container is announced in preview. Pure.
import type { GuardedKey } from "../config/guard-check";
import type { PortProbe } from "./port-probe";

/** The refusal of a host port this machine cannot bind; undefined when it can. */
export function hostPortRefusal(
  key: string,
  host: string,
  port: number,
  probe: PortProbe,
): string | undefined {
  if (probe.free) return undefined;
  const holder = probe.holder ? ` by ${probe.holder}` : "";
  return (
    `offthegrid-database:${key}: port ${port} on ${host} ${probe.why}${holder}, so the new container could not ` +
    `publish it (and the one it replaces would already be gone). Choose a free port ` +
    `(pulumi config set ${key} <port>), or stop what holds it.`
  );
}

/**
 * Host ports: refused when changed (or on a new or destroyed stack) to a port the probe found taken. A port
 * that keeps its applied value is held by the stack's own container, which is fine.
 */
export function hostPortGuards(
  host: string,
  ports: Readonly<Record<string, number>>,
  probes: Readonly<Record<string, PortProbe>>,
): Record<string, GuardedKey> {
  return Object.fromEntries(
    Object.entries(ports).map(([key, port]) => {
      const refusal = hostPortRefusal(key, host, port, probes[key]);
      return [key, refusal ? { value: port, refuseChange: refusal } : { value: port }];
    }),
  );
}

/** Dev keys whose change replaces a data store's container (deleted first: fixed name and host port). */
const STORE_OF: Readonly<Record<string, string>> = {
  postgresImage: "PostgreSQL",
  postgresHostPort: "PostgreSQL",
  redisImage: "Redis",
  redisHostPort: "Redis",
  redisMaxmemoryMb: "Redis",
  redisCacheHostPort: "Redis cache",
  redisCacheMaxmemoryMb: "Redis cache",
};

export const STORE_REPLACING_KEYS = Object.keys(STORE_OF);

/** One line for the preview: what the running app loses; undefined for keys that replace no store. */
export function storeConsequence(key: string, applied: unknown, value: unknown): string | undefined {
  const store = STORE_OF[key];
  if (!store || applied === value) return undefined;
  const moved = key.endsWith("HostPort") ? ` Clients must connect to port ${String(value)} afterwards.` : "";
  return (
    `offthegrid-database:${key} ${String(applied)} → ${String(value)}: the ${store} container is replaced ` +
    `(the old one is removed first), so ${store} is down until the new one is healthy; its data stays in the ` +
    `volume.${moved}`
  );
}
