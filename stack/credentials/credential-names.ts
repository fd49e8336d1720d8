// The stack's generated credentials, by name: each has its own rotation epoch (./keys.ts) and password
// (./credentials.ts).
export const CREDENTIALS = [
  "postgresAdmin",
  "postgresOwner",
  "postgresApp",
  "postgresReadonly",
  "redisAdmin",
  "redisApp",
  "pgadmin",
  "redisCommander",
] as const;
export type CredentialName = (typeof CREDENTIALS)[number];
