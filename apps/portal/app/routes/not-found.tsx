import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { notFound, routeHeaders } from "#app/lib/http.server.ts";

export const meta = () => [{ title: "Page not found — Briefings" }];

export const headers = routeHeaders;

export function loader() {
  notFound();
}

export default function NotFound() {
  return <GeneralErrorBoundary />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
