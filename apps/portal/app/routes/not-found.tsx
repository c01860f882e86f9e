import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { notFound } from "#app/lib/http.server.ts";

export const meta = () => [{ title: "Page not found — Briefings" }];

export function loader() {
  notFound();
}

export default function NotFound() {
  return <GeneralErrorBoundary />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
