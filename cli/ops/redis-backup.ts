// A logical Redis backup: SCAN + DUMP + PTTL per key into JSON lines, restorable remotely with RESTORE (an
// RDB file cannot be sent to a server, and `redis-cli --pipe` expects commands, not an RDB as the seed's
// script did). In cluster mode every primary is scanned; a single-node client pointed at a cluster is
// refused, since it would silently back up one shard.
import * as fs from "node:fs";
import * as readline from "node:readline";
import Redis, { Cluster } from "ioredis";
import { isClusterNode } from "./redis-connect";

export interface RedisBackupLine {
  readonly key: string;
  /** Milliseconds left, or 0 for no expiry (RESTORE's convention). */
  readonly ttl: number;
  /** DUMP payload, base64. */
  readonly dump: string;
}

const CLUSTER_SLOTS = 16384;

async function refuseSingleNodeOfCluster(redis: Redis, what: string): Promise<void> {
  if (await isClusterNode(redis))
    throw new Error(
      `Refusing to ${what} through one node of a Redis cluster: it would only see that node's slots. ` +
        "Connect with a cluster client (the ops CLI does so by itself when the server reports cluster mode).",
    );
}

/** The primaries that serve every slot, or an error naming the gap (a backup must not miss a shard). */
async function clusterPrimaries(cluster: Cluster): Promise<Redis[]> {
  const slots = (await cluster.cluster("SLOTS")) as unknown as [number, number, [string, number]][];
  const covered = slots.reduce((n, [from, to]) => n + (to - from + 1), 0);
  if (covered !== CLUSTER_SLOTS)
    throw new Error(`Refusing to back up a Redis cluster with ${CLUSTER_SLOTS - covered} unassigned slots`);
  const wanted = new Set(slots.map(([, , [host, port]]) => `${host}:${port}`));
  const nodes = cluster.nodes("master");
  const reachable = new Set(nodes.map((n) => `${n.options.host}:${n.options.port}`));
  const missing = [...wanted].filter((p) => !reachable.has(p));
  if (missing.length)
    throw new Error(
      `Refusing to back up the Redis cluster: primaries ${missing.join(", ")} are not connected`,
    );
  return nodes.filter((n) => wanted.has(`${n.options.host}:${n.options.port}`));
}

async function dumpNode(
  node: Redis,
  out: fs.WriteStream,
  counted: { n: number },
  onProgress?: (keys: number) => void,
): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await node.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const [dump, pttl] = await Promise.all([node.dumpBuffer(key), node.pttl(key)]);
      if (dump === null || pttl === -2) continue; // expired or deleted between SCAN and DUMP
      const line: RedisBackupLine = { key, ttl: pttl > 0 ? pttl : 0, dump: dump.toString("base64") };
      out.write(`${JSON.stringify(line)}\n`);
      counted.n++;
    }
    onProgress?.(counted.n);
  } while (cursor !== "0");
}

export async function dumpRedis(
  redis: Redis | Cluster,
  outFile: string,
  onProgress?: (keys: number) => void,
): Promise<number> {
  const nodes = redis instanceof Cluster ? await clusterPrimaries(redis) : [redis];
  if (!(redis instanceof Cluster)) await refuseSingleNodeOfCluster(redis, "back up");
  const out = fs.createWriteStream(outFile, { mode: 0o600, flags: "wx" });
  const failed = new Promise<never>((_, reject) => out.on("error", reject));
  const counted = { n: 0 };
  await Promise.race([
    failed,
    (async () => {
      for (const node of nodes) await dumpNode(node, out, counted, onProgress);
    })(),
  ]);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return counted.n;
}

function parseLine(raw: string, where: string): RedisBackupLine {
  let line: Partial<RedisBackupLine>;
  try {
    line = JSON.parse(raw);
  } catch (err) {
    throw new Error(
      `Refusing to restore ${where}: not a JSON object (${(err as Error).message}); nothing was restored`,
    );
  }
  const valid =
    typeof line?.key === "string" &&
    Number.isInteger(line.ttl) &&
    (line.ttl as number) >= 0 &&
    typeof line.dump === "string" &&
    /^[A-Za-z0-9+/]*={0,2}$/.test(line.dump);
  if (!valid)
    throw new Error(
      `Refusing to restore ${where}: expected {"key": string, "ttl": milliseconds >= 0, "dump": base64}; nothing was restored`,
    );
  return line as RedisBackupLine;
}

/** Streams the backup's lines with their 1-based line numbers (blank lines skipped). */
async function* backupLines(file: string, shownAs = file): AsyncGenerator<RedisBackupLine> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number++;
    if (raw.trim()) yield parseLine(raw, `${shownAs} line ${number}`);
  }
}

export async function restoreRedis(
  redis: Redis | Cluster,
  file: string,
  /** `shownAs`: the name messages use (the backup the operator named, when `file` is its private copy). */
  options: { replace: boolean; shownAs?: string },
): Promise<number> {
  // Two passes: the whole file is checked before the first key is written, without holding it in memory.
  for await (const line of backupLines(file, options.shownAs)) void line;
  if (!(redis instanceof Cluster)) await refuseSingleNodeOfCluster(redis, "restore");
  let count = 0;
  for await (const line of backupLines(file)) {
    const args: (string | Buffer | number)[] = [line.key, line.ttl, Buffer.from(line.dump, "base64")];
    if (options.replace) args.push("REPLACE");
    await redis.call("RESTORE", ...args);
    count++;
  }
  return count;
}
