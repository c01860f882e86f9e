export * from "./accounts.ts";
export * from "./audit.ts";
export * from "./mail.ts";
// A namespace: the template names (verifyEmail, resetPassword) are also account flows.
export * as mailTemplates from "./mail-templates.ts";
export * from "./membership.ts";
export * from "./password.ts";
export * from "./rate-limit.ts";
export * from "./session.ts";
export * from "./tokens.ts";
