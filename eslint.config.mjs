// Flat config: typescript-eslint's recommended rules; formatting is Prettier's job (checked separately).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "tools/**/*.js", "components/schema/provider.bundle.js"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Recorded mock inputs and provider payloads are untyped by nature; production code stays `any`-free.
    files: ["test/**/*.ts", "test/**/*.cjs", "bench/**/*.ts", "harness/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
