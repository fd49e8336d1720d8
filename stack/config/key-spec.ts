// Building blocks for the config key table. Each parser turns the raw string that Pulumi hands us into a
// typed value, or throws InvalidValue carrying the "allowed values" text that ends up in the user's error
// message.

/** The types Pulumi.yaml's `config:` schema can express (no objects). */
export type PulumiConfigType = "string" | "integer" | "boolean" | "array";

/**
 * Which kind of stack a key applies to; setting a key on the wrong kind is an error, not silently ignored.
 */
export type KeyScope = "all" | "docker" | "aws";

export class InvalidValue extends Error {
  constructor(readonly allowed: string) {
    super(allowed);
  }
}

export interface KeySpec<T> {
  readonly type: PulumiConfigType;
  readonly description: string;
  readonly scope: KeyScope;
  /** Absent means the key must be set wherever its scope applies. */
  readonly default?: T;
  readonly parse: (raw: string) => T;
}

/**
 * The `default` Pulumi.yaml declares for a key. The CLI treats a project key declared without a default as
 * required in every stack (sdk/go/common/workspace/config.go, mergeConfig), so a key required only for one
 * platform gets an empty placeholder there, which the program reads as "not set" (see isUnsetPlaceholder).
 */
export function projectDefault(spec: KeySpec<unknown>): unknown {
  if (spec.default !== undefined || spec.scope === "all") return spec.default;
  return spec.type === "array" ? [] : "";
}

/** True when `raw` is the placeholder Pulumi.yaml declares for a platform-scoped required key. */
export function isUnsetPlaceholder(spec: KeySpec<unknown>, raw: string | undefined): boolean {
  if (raw === undefined || spec.default !== undefined || spec.scope === "all") return false;
  return spec.type === "array" ? raw.trim() === "[]" : raw === "";
}

export function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const trimmed = raw.trim();
    if (!/^-?\d+$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max) {
      throw new InvalidValue(`an integer from ${min} to ${max}`);
    }
    return Number(trimmed);
  };
}

export function boolean(raw: string): boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new InvalidValue("true, false");
}

export function oneOf<const T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new InvalidValue(values.join(", "));
    return raw as T;
  };
}

export function matching(pattern: RegExp, allowed: string): (raw: string) => string {
  return (raw) => {
    if (!pattern.test(raw)) throw new InvalidValue(allowed);
    return raw;
  };
}

/** Pulumi passes array config as a JSON string. */
export function arrayOf<T>(item: (raw: string) => T, min: number, max: number, what: string) {
  return (raw: string): T[] => {
    const allowed = `a list of ${min} to ${max} ${what}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidValue(allowed);
    }
    if (!Array.isArray(parsed) || parsed.length < min || parsed.length > max) throw new InvalidValue(allowed);
    return parsed.map((element, index) => {
      if (typeof element !== "string") throw new InvalidValue(`${allowed} (item ${index} is not a string)`);
      try {
        return item(element);
      } catch (err) {
        if (err instanceof InvalidValue)
          throw new InvalidValue(`${allowed}; item ${index} must be ${err.allowed}`);
        throw err;
      }
    });
  };
}

/** An exact image version: `repo:MAJOR.MINOR[.PATCH][-variant]`, optionally pinned further by digest. */
export function pinnedImage(
  repository: RegExp,
  major: number | undefined,
  example: string,
  refuse?: { readonly variant: RegExp; readonly why: string },
) {
  const pattern = /^([a-z0-9][a-z0-9._/-]*):(\d+)\.(\d+)(\.\d+)?(-[a-z0-9.]+)?(@sha256:[0-9a-f]{64})?$/;
  const allowed =
    `an exact image version such as "${example}" (repository:MAJOR.MINOR[.PATCH][-variant][@sha256:…]` +
    (major === undefined ? "" : `, major version ${major}`) +
    "; never latest or a bare major)";
  return (raw: string): string => {
    const match = pattern.exec(raw);
    if (!match || !repository.test(match[1]) || (major !== undefined && Number(match[2]) !== major)) {
      throw new InvalidValue(allowed);
    }
    if (refuse && refuse.variant.test(match[5] ?? "")) throw new InvalidValue(`${allowed}; ${refuse.why}`);
    return raw;
  };
}

export const hostPort = integer(1024, 65535);
export const epoch = integer(0, 1_000_000);

/** A key spec as written, typed (keeps each parser's return type in the table). */
export function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

/** A key table's values, parsed: what a concern's settings builder reads (stack/<concern>/keys.ts). */
export type Parsed<T> = { readonly [K in keyof T]: T[K] extends KeySpec<infer V> ? V : never };
