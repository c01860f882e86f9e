import { index, prefix, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("profiles", "routes/profiles.tsx"),
  route("profiles/:slug", "routes/profile.tsx"),
  route("news", "routes/news.tsx"),
  route("news/:slug", "routes/article.tsx"),
  // Discovery: search, topics and providers.
  route("search", "routes/search.tsx"),
  route("topics/:slug", "routes/topic.tsx"),
  route("providers/:domain", "routes/provider.tsx"),
  // Discovery: feeds and crawlers.
  route("membership", "routes/membership.tsx"),
  route("membership/apply/:tier", "routes/membership-apply.tsx"),
  route("membership/checkout/success", "routes/membership-checkout-success.tsx"),
  // Accounts
  route("sign-up", "routes/auth/sign-up.tsx"),
  route("sign-in", "routes/auth/sign-in.tsx"),
  route("sign-out", "routes/auth/sign-out.tsx"),
  route("verify-email", "routes/auth/verify-email.tsx"),
  route("forgot-password", "routes/auth/forgot-password.tsx"),
  route("reset-password", "routes/auth/reset-password.tsx"),
  route("confirm-email", "routes/auth/confirm-email.tsx"),
  ...prefix("account", [
    index("routes/account/index.tsx"),
    route("password", "routes/account/password.tsx"),
    route("email", "routes/account/email.tsx"),
    route("delete", "routes/account/delete.tsx"),
    route("export", "routes/account/export.ts"),
  ]),
  // Administration: editors write and import; admins and owners run everything else.
  // Each loader and action checks the role itself (requireRole).
  ...prefix("admin", [
    index("routes/admin/index.tsx"),
    route("profiles", "routes/admin/profiles.tsx"),
    route("profiles/new", "routes/admin/profile-new.tsx"),
    route("profiles/:id", "routes/admin/profile-edit.tsx"),
    route("profiles/:id/preview", "routes/admin/profile-preview.tsx"),
    route("profiles/:id/history", "routes/admin/profile-history.tsx"),
    route("import", "routes/admin/import.tsx"),
    route("tiers", "routes/admin/tiers.tsx"),
    route("tiers/new", "routes/admin/tier-new.tsx"),
    route("tiers/:slug", "routes/admin/tier.tsx"),
    route("members/import", "routes/admin/members-import.tsx"),
    route("applications", "routes/admin/applications.tsx"),
    route("applications/:id", "routes/admin/application.tsx"),
    route("members", "routes/admin/members.tsx"),
    route("members/export.csv", "routes/admin/members-export.ts"),
    route("members/:id", "routes/admin/member.tsx"),
    route("billing", "routes/admin/billing.tsx"),
    route("audit", "routes/admin/audit.tsx"),
  ]),
  // Stripe's webhook: a resource route, signed by Stripe, exempt from the origin check.
  route("webhooks/stripe", "routes/webhooks/stripe.ts"),
  route("healthz", "routes/healthz.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
