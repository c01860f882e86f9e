export * from "./articles.ts";
export * from "./audit.ts";
export * from "./briefings.ts";
export * from "./cursor.ts";
export * from "./members.ts";
export * from "./profiles.ts";
export * from "./save-content.ts";
export * from "./tiers.ts";
