// RDS instance classes we accept, with their memory in GiB (AWS's published sizes). Validation uses the keys;
// the parameter-group math uses the memory for what RDS formulas cannot express.
const SIZES_BURSTABLE: Record<string, number> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};
const SIZES_GENERAL: Record<string, number> = {
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
  "4xlarge": 64,
  "8xlarge": 128,
  "12xlarge": 192,
  "16xlarge": 256,
  "24xlarge": 384,
};
const SIZES_MEMORY: Record<string, number> = Object.fromEntries(
  Object.entries(SIZES_GENERAL).map(([size, gib]) => [size, gib * 2]),
);

function family(prefix: string, sizes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(sizes).map(([size, gib]) => [`db.${prefix}.${size}`, gib]));
}

export const RDS_INSTANCE_CLASSES: Readonly<Record<string, number>> = {
  ...family("t3", SIZES_BURSTABLE),
  ...family("t4g", SIZES_BURSTABLE),
  ...Object.fromEntries(["m5", "m6g", "m6i", "m7g"].flatMap((f) => Object.entries(family(f, SIZES_GENERAL)))),
  ...Object.fromEntries(["r5", "r6g", "r6i", "r7g"].flatMap((f) => Object.entries(family(f, SIZES_MEMORY)))),
};

export function instanceMemoryGiB(instanceClass: string): number {
  const gib = RDS_INSTANCE_CLASSES[instanceClass];
  if (gib === undefined) throw new Error(`Unknown RDS instance class ${instanceClass}`);
  return gib;
}
