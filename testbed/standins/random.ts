// Stand-in for the `random` provider: RandomPassword and RandomId behave as the real ones do for this stack —
// generated from the requested alphabet and length, replaced (never updated) when any input or `keepers`
// change, the result returned as a secret.
import { randomBytes, randomInt } from "node:crypto";
import { Props, changedKeys, parseUrn, plain, secret, serve } from "./kit";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC = "0123456789";
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

interface PasswordArgs {
  length: number;
  lower?: boolean;
  upper?: boolean;
  numeric?: boolean;
  special?: boolean;
  overrideSpecial?: string;
  minLower?: number;
  minUpper?: number;
  minNumeric?: number;
  minSpecial?: number;
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)];
}

export function generatePassword(a: PasswordArgs): string {
  const classes: [boolean, string, number][] = [
    [a.lower !== false, LOWER, a.minLower ?? 0],
    [a.upper !== false, UPPER, a.minUpper ?? 0],
    [a.numeric !== false, NUMERIC, a.minNumeric ?? 0],
    [a.special !== false, a.overrideSpecial ?? DEFAULT_SPECIAL, a.minSpecial ?? 0],
  ];
  const enabled = classes.filter(([on, chars]) => on && chars.length > 0);
  const chars = enabled.flatMap(([, alphabet, min]) => Array.from({ length: min }, () => pick(alphabet)));
  const all = enabled.map(([, alphabet]) => alphabet).join("");
  while (chars.length < a.length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

serve("random", {
  version: "",
  async check(_urn: string, _olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, _urn: string, olds: Props, news: Props) {
    // Every input of RandomPassword and RandomId is ForceNew in the real provider's schema.
    const replaces = changedKeys(olds, news, [
      "result",
      "bcryptHash",
      "hex",
      "b64Std",
      "b64Url",
      "dec",
      "id",
    ]);
    return { changes: replaces.length > 0, replaces };
  },
  async create(urn: string, inputs: Props) {
    const { type } = parseUrn(urn);
    const args = plain<Props>(inputs);
    if (type === "random:index/randomPassword:RandomPassword") {
      const result = generatePassword(args as unknown as PasswordArgs);
      return { id: "none", outs: { ...inputs, result: secret(result), bcryptHash: secret("") } };
    }
    if (type === "random:index/randomId:RandomId") {
      const bytes = randomBytes(Number(args.byteLength));
      const hex = bytes.toString("hex");
      const prefix = String(args.prefix ?? "");
      return {
        id: bytes.toString("base64url"),
        outs: {
          ...inputs,
          hex: prefix + hex,
          b64Url: prefix + bytes.toString("base64url"),
          dec: prefix + BigInt(`0x${hex}`).toString(),
        },
      };
    }
    throw new Error(`stand-in random provider: ${type} is not implemented (RandomPassword and RandomId are)`);
  },
  async read(id: string, _urn: string, props?: Props) {
    return { id, props: props ?? {} };
  },
  async delete() {},
});
