export * from "./client.ts";
export * from "./env.ts";
