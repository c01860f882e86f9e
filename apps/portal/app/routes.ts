import { index, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("profiles", "routes/profiles.tsx"),
  route("profiles/:slug", "routes/profile.tsx"),
  route("news", "routes/news.tsx"),
  route("news/:slug", "routes/article.tsx"),
  route("membership", "routes/membership.tsx"),
  route("healthz", "routes/healthz.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
