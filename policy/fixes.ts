// A violation names what the user sets (offthegrid-database:postgresMultiAz), not the resource property
// (multiAz); a property the stack's code fixes has no key, so its violation names that file instead. Each
// rule file declares the rows for the properties it reports on beside its rules, so a config option the pack
// checks is named in one policy file. policy/config-keys.ts composes the files' tables for
// test/policy/config-keys.test.ts, which proves every key against the prod stack and that files declaring
// the same property agree.
import { REMOTE_IMAGE } from "./kit";

/** By resource type, then property; an "aws:*" row applies to every aws: type. */
export type PropertyTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The config key of each image a dev stack pulls, by what the RemoteImage's name says it runs. */
export type ImageKeys = readonly (readonly [RegExp, string])[];

export interface FixTables {
  /** The config key whose value the property carries. */
  readonly propertyKeys?: PropertyTable;
  /** Properties no config key sets: the stack file that fixes them. */
  readonly codeSet?: PropertyTable;
  readonly imageKeys?: ImageKeys;
}

export interface Fixes extends Required<FixTables> {
  /** The policy file that declares the tables, named when a rule asks for a property they lack. */
  readonly file: string;
  configKeyOf(type: string, property: string, resourceName?: string): string | undefined;
  /**
   * The fix part of a violation: "set offthegrid-database:postgresMultiAz to true (multiAz)", or, for a
   * property the code fixes, "set multiAz to true in stack/postgres/rds.ts (no config key sets it)".
   */
  fix(type: string, property: string, wanted: string, resourceName?: string): string;
}

const PREFIX = "offthegrid-database:";

export function fixes(file: string, tables: FixTables): Fixes {
  const { propertyKeys = {}, codeSet = {}, imageKeys = [] } = tables;
  const configKeyOf = (type: string, property: string, resourceName = ""): string | undefined => {
    if (type === REMOTE_IMAGE && property === "name") {
      const image = imageKeys.find(([re]) => re.test(resourceName));
      if (image) return image[1];
    }
    return (
      propertyKeys[type]?.[property] ??
      (type.startsWith("aws:") ? propertyKeys["aws:*"]?.[property] : undefined)
    );
  };
  const fix = (type: string, property: string, wanted: string, resourceName = ""): string => {
    const key = configKeyOf(type, property, resourceName);
    const what = (name: string) => (wanted ? `${name} ${wanted}` : name);
    if (key) return `set ${what(PREFIX + key)} (${property})`;
    const where = codeSet[type]?.[property];
    if (!where)
      throw new Error(
        `${file}: no config key or file for ${type} ${property}: add a propertyKeys (config key) or codeSet ` +
          `(stack file) row for it to the fixes() call at the top of ${file}`,
      );
    return `set ${what(property)} in ${where} (no config key sets it)`;
  };
  return { file, propertyKeys, codeSet, imageKeys, configKeyOf, fix };
}
