// Stand-in for the `aws` provider: records inputs and returns deterministic computed outputs. It does not
// support provider-side preview, so during `preview` the engine leaves every computed output unknown, as it
// does for real resources whose values only AWS knows. Diff replaces exactly on the ForceNew properties in
// aws-force-new.ts.
import { createHash } from "node:crypto";
import { FORCE_NEW } from "./aws-force-new";
import { Props, changedKeys, parseUrn, plain, serve } from "./kit";

const ACCOUNT = "123456789012";

function computed(type: string, name: string, args: Props): Props {
  const [pkg, mod] = type.split(":");
  const service = (mod ?? "").split("/")[0];
  const region = String(args.region ?? process.env.AWS_REGION ?? "eu-west-1");
  const suffix = createHash("sha256").update(`${type}/${name}`).digest("hex").slice(0, 12);
  const host = `${name}.${suffix}.${region}.${service}.amazonaws.com`;
  return {
    id: `${name}-${suffix}`,
    arn: `arn:${pkg}:${service}:${region}:${ACCOUNT}:${name}-${suffix}`,
    address: host,
    endpoint: `${host}:${args.port ?? 5432}`,
    primaryEndpointAddress: host,
    readerEndpointAddress: `reader.${host}`,
    configurationEndpointAddress: `config.${host}`,
    keyId: suffix,
  };
}

serve("aws", {
  version: "",
  async check(_urn: string, _olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, urn: string, olds: Props, news: Props) {
    const { type } = parseUrn(urn);
    const changed = changedKeys(olds, news, Object.keys(computed(type, "x", {})));
    const replaces = changed.filter((k) => (FORCE_NEW[type] ?? []).includes(k));
    return { changes: changed.length > 0, replaces };
  },
  async create(urn: string, inputs: Props) {
    const { type, name } = parseUrn(urn);
    const outs = { ...computed(type, name, plain<Props>(inputs)), ...inputs };
    return { id: String(outs.id), outs };
  },
  async update(_id: string, urn: string, _olds: Props, news: Props) {
    const { type, name } = parseUrn(urn);
    return { outs: { ...computed(type, name, plain<Props>(news)), ...news } };
  },
  async read(id: string, _urn: string, props?: Props) {
    return { id, props: props ?? {} };
  },
  async delete() {},
  async invoke(token: string) {
    throw new Error(
      `stand-in aws provider: invoke ${token} is not implemented (the stack makes no AWS lookups)`,
    );
  },
});
