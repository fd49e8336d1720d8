// Whether a dev service answers on its published port, checked on every preview and `up`. A plain `up` reads
// nothing back from Docker (only `refresh` does), so after a crash or a container that never started (the
// provider keeps a container whose start or `wait` failed and then "updates" it without starting it), `up`
// would report success with the database down. This resource's diff asks the port itself; when nothing
// answers in the service's own protocol it is replaced, and its new `generation` is the container's
// replacementTrigger: the container is recreated from its retained volume and waited for, as on first boot.
// The provider, prebuilt into its own bundle (stack/dynamic/providers.ts); the resource is liveness.ts.
export type ServiceProtocol = "postgres" | "redis";

export interface LivenessInputs {
  readonly host: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
}

export interface LivenessOutputs extends LivenessInputs {
  readonly generation: string;
}

/**
 * One exchange that any server of that kind answers without credentials: PostgreSQL's SSLRequest gets one
 * byte ("S" or "N"); Redis answers PING with +PONG or, as here with the default user off, -NOAUTH.
 */
export function probeService(target: LivenessInputs, timeoutMs = 3000): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require("node:net") as typeof import("node:net");
  const request =
    target.protocol === "postgres" ? Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]) : Buffer.from("PING\r\n");
  const accepts = (reply: string) =>
    target.protocol === "postgres"
      ? reply === "S" || reply === "N"
      : /^(\+PONG|-NOAUTH|-WRONGPASS)/.test(reply);
  return new Promise((resolve) => {
    const socket = net.connect(target.port, target.host);
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(request));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (target.protocol === "postgres" || reply.includes("\r\n")) done(accepts(reply.trim()));
    });
    socket.once("end", () => done(accepts(reply.trim())));
  });
}

function newGeneration(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export const livenessProvider = {
  async create(inputs: LivenessInputs) {
    const generation = newGeneration();
    return { id: generation, outs: { ...inputs, generation } };
  },
  async diff(_id: string, olds: LivenessOutputs, news: LivenessInputs) {
    const moved = ["host", "port", "protocol"].filter(
      (k) => olds[k as keyof LivenessInputs] !== news[k as keyof LivenessInputs],
    );
    // A new port means a new container anyway (ports are ForceNew); keep the generation then.
    if (moved.length > 0) return { changes: true, replaces: [] };
    if (await probeService(news)) return { changes: false };
    return { changes: true, replaces: ["generation"], deleteBeforeReplace: true };
  },
  async update(_id: string, olds: LivenessOutputs, news: LivenessInputs) {
    return { outs: { ...news, generation: olds.generation } };
  },
  async read(id: string, props: LivenessOutputs) {
    return { id, props };
  },
};
