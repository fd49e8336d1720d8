// The house's dependency rules, checked by `npm run lint` (depcruise). Type-only imports are erased at
// compile time and do not count (tsPreCompilationDeps: false).
const PULUMI_RUNTIME = "^node_modules/@pulumi/(pulumi|aws|docker|random)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make module load order matter; break them at a shared module.",
      from: {},
      to: { circular: true },
    },
    {
      name: "product-apart-from-bench",
      severity: "error",
      comment:
        "The product (the program, stack/, migrator/, cli/, policy/, tools/) never imports the test bench or the tests.",
      from: { path: "^(index\\.ts|stack/|migrator/|cli/|policy/|tools/)" },
      to: { path: "^(testbed|test)/" },
    },
    {
      name: "migrator-is-a-library",
      severity: "error",
      comment:
        "The migration engine has no Pulumi and knows nothing of the stack, the CLIs or the policy pack.",
      from: { path: "^migrator/" },
      to: { path: `^(stack|cli|policy|testbed|test)/|${PULUMI_RUNTIME}` },
    },
    {
      name: "pure-stays-pure",
      severity: "error",
      comment:
        "Code that runs outside a Pulumi program (the CLIs, the policy pack, the engine) and the config key tables " +
        "never reaches a Pulumi runtime or provider SDK, so it loads fast and is tested without mocks; resource " +
        "wiring (components) depends on pure helpers, never the other way round.",
      from: { path: "^(cli|migrator|policy)/|^stack/[^/]+/keys\\.ts$|^stack/config/(?!load\\.ts$)" },
      to: { path: PULUMI_RUNTIME, reachable: true },
    },
    {
      name: "policy-pack-self-contained",
      severity: "error",
      comment:
        "`pulumi policy publish` uploads policy/ alone: the pack imports nothing outside it but packages.",
      from: { path: "^policy/" },
      to: { path: "^(?!policy/|node_modules/)", dependencyTypesNot: ["core"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^build/" },
  },
};
