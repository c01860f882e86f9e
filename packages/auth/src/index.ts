export * from "./accounts.ts";
export * from "./application-notes.ts";
export * from "./application-queue.ts";
export * from "./audit.ts";
export * from "./digest.ts";
export * from "./mail.ts";
// A namespace: the template names (verifyEmail, resetPassword) are also account flows.
export * as mailTemplates from "./mail-templates.ts";
export * from "./member-import.ts";
export * from "./membership.ts";
export * from "./password.ts";
export * from "./rate-limit.ts";
export * from "./session.ts";
export * from "./suspension.ts";
export * from "./tiers.ts";
export * from "./tokens.ts";
