// Flat config: typescript-eslint's recommended rules; formatting is Prettier's job (checked separately).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", "stack/schema/provider.bundle.js"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits is an error that surfaces nowhere (an unhandled rejection at
    // best).
    files: ["**/*.ts"],
    ignores: ["policy/**"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    // A file that finds the checkout with a relative `..` from __dirname silently points elsewhere once it
    // moves (the bench's sql/ lookups broke that way); these files are the checkout's anchors, everything
    // else imports them.
    files: ["**/*.ts"],
    ignores: [
      "index.ts",
      "testbed/root.ts",
      "cli/shared/root.ts",
      "stack/dynamic/bundle-file.ts",
      "tools/**",
    ],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Identifier[name='__dirname']",
          message: "Anchor paths on testbed/root.ts (ROOT, SQL_DIR) or cli/shared/root.ts, not on __dirname.",
        },
      ],
    },
  },
  {
    // Prettier breaks code at 110 columns but leaves comments and strings alone: comments are wrapped to the
    // same width; long strings (messages, test titles) stay whole so that they can be searched for.
    files: ["**/*.ts", "**/*.cjs", "**/*.mjs"],
    rules: {
      "max-len": [
        "error",
        {
          code: 110,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
        },
      ],
    },
  },
  {
    // A pg Client without an 'error' listener turns a server ending an idle session into an uncaught
    // exception that kills a command or fails whichever test is running (cli/shared/pg-client.ts says why):
    // everything constructs its clients through pgClient(), the migrator through its connectWithRetry.
    files: ["**/*.ts"],
    ignores: ["cli/shared/pg-client.ts", "migrator/connect.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "pg",
              importNames: ["Client", "Pool"],
              message:
                "Construct it with pgClient() from cli/shared/pg-client.ts (testbed/pg-client.ts re-exports it): it listens for 'error'.",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Tests assert on recorded mock inputs and provider payloads, untyped by nature; everything else, the
    // harness included, stays `any`-free.
    files: ["test/**/*.ts", "test/**/*.cjs", "testbed/bench/**/*.ts", "tools/**/*.cjs", "program.cjs"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
