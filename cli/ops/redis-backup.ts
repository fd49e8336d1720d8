// A logical Redis backup: SCAN + DUMP + PTTL per key into JSON lines, restorable remotely with RESTORE (an RDB
// file cannot be sent to a server, and `redis-cli --pipe` expects commands, not an RDB as the seed's script did).
import * as fs from "node:fs";
import * as readline from "node:readline";
import type Redis from "ioredis";

export interface RedisBackupLine {
  readonly key: string;
  /** Milliseconds left, or 0 for no expiry (RESTORE's convention). */
  readonly ttl: number;
  /** DUMP payload, base64. */
  readonly dump: string;
}

export async function dumpRedis(
  redis: Redis,
  outFile: string,
  onProgress?: (keys: number) => void,
): Promise<number> {
  const out = fs.createWriteStream(outFile);
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const [dump, pttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
      if (dump === null || pttl === -2) continue; // expired or deleted between SCAN and DUMP
      const line: RedisBackupLine = { key, ttl: pttl > 0 ? pttl : 0, dump: dump.toString("base64") };
      out.write(`${JSON.stringify(line)}\n`);
      count++;
    }
    onProgress?.(count);
  } while (cursor !== "0");
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return count;
}

export async function restoreRedis(
  redis: Redis,
  file: string,
  options: { replace: boolean },
): Promise<number> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let count = 0;
  for await (const raw of lines) {
    if (!raw.trim()) continue;
    const line = JSON.parse(raw) as RedisBackupLine;
    const args: (string | Buffer | number)[] = [line.key, line.ttl, Buffer.from(line.dump, "base64")];
    if (options.replace) args.push("REPLACE");
    await redis.call("RESTORE", ...args);
    count++;
  }
  return count;
}
