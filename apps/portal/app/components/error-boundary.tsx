import { isRouteErrorResponse, Link, useRouteError } from "react-router";

/**
 * The one error page. It shows the status and a message the server chose to make
 * public; thrown errors' own messages and stacks never reach the page.
 */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  let status = 500;
  let title = "Something went wrong";
  let message = "The page could not be shown. Please try again in a moment.";
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const publicMessage =
      typeof error.data === "object" && error.data !== null && "message" in error.data
        ? String((error.data as { message: unknown }).message)
        : null;
    if (status === 404) {
      title = "Page not found";
      message = publicMessage ?? "There is nothing at this address.";
    } else if (status === 400) {
      title = "Bad request";
      message = publicMessage ?? "The request could not be understood.";
    } else if (publicMessage) {
      message = publicMessage;
    }
  }
  return (
    <section aria-labelledby="error-title" className="mx-auto max-w-xl py-16 text-center">
      <p className="text-sm font-semibold text-muted">Error {status}</p>
      <h1 id="error-title" className="mt-2 text-3xl font-semibold">
        {title}
      </h1>
      <p className="mt-4 text-muted">{message}</p>
      <p className="mt-8 flex justify-center gap-4">
        <Link to="/">Home</Link>
        <Link to="/profiles">Profiles</Link>
        <Link to="/news">News</Link>
      </p>
    </section>
  );
}
