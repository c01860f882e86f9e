import type { ReactNode } from "react";
import {
  Form,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "react-router";
import type { Route } from "./+types/root";
import "./app.css";
import { GeneralErrorBoundary } from "./components/error-boundary.tsx";
import { appUrl } from "./lib/auth.server.ts";
import { useNonce } from "./lib/csp.ts";

export const meta: Route.MetaFunction = () => [
  { title: "Briefings — intelligence on the internet's infrastructure" },
  {
    name: "description",
    content:
      "Profiles and news on the organisations of the internet infrastructure ecosystem, with member briefings.",
  },
];

/**
 * Only what the header needs about the signed-in account; nothing else leaves the server.
 * And the configured public origin, the same for everyone: meta functions cannot read the
 * server's settings, and build canonical URLs from it (`originFromMatches` in lib/seo.ts)
 * rather than from the request's Host header.
 */
export async function loader({ context }: Route.LoaderArgs) {
  const { user } = context;
  return {
    origin: appUrl(),
    account: user ? { email: user.email, role: user.role, isStaff: user.role !== "member" } : null,
  };
}

function AccountLinks() {
  const data = useRouteLoaderData<typeof loader>("root");
  const account = data?.account;
  if (!account) {
    return (
      <ul className="flex items-center gap-3 text-sm font-medium">
        <li>
          <a href="/sign-in" className="text-muted hover:text-ink">
            Sign in
          </a>
        </li>
        <li>
          <a
            href="/sign-up"
            className="rounded-md bg-accent px-3 py-1.5 text-white no-underline hover:bg-accent-dark hover:text-white"
          >
            Sign up
          </a>
        </li>
      </ul>
    );
  }
  return (
    <ul className="flex items-center gap-3 text-sm font-medium">
      {account.isStaff ? (
        <li>
          <NavLink to="/admin" className="text-muted hover:text-ink">
            Admin
          </NavLink>
        </li>
      ) : null}
      <li>
        <NavLink to="/account" className="text-muted hover:text-ink" title={account.email}>
          Account
        </NavLink>
      </li>
      <li>
        <Form method="post" action="/sign-out">
          <button type="submit" className="text-muted hover:text-ink">
            Sign out
          </button>
        </Form>
      </li>
    </ul>
  );
}

const NAV = [
  { to: "/profiles", label: "Profiles" },
  { to: "/news", label: "News" },
  { to: "/membership", label: "Membership" },
] as const;

export function Layout({ children }: { children: ReactNode }) {
  // From a React context rather than loader data: error boundaries render this Layout too.
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        <link rel="alternate" type="application/rss+xml" title="Briefings (RSS)" href="/feed.rss" />
        <link
          rel="alternate"
          type="application/atom+xml"
          title="Briefings (Atom)"
          href="/feed.atom"
        />
      </head>
      <body className="min-h-screen flex flex-col font-sans antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:bg-white focus:p-2"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
            <a href="/" className="text-xl font-semibold tracking-tight text-ink no-underline">
              Briefings
            </a>
            <nav aria-label="Main">
              <ul className="flex gap-4 text-sm font-medium sm:gap-6">
                {NAV.map((item) => (
                  <li key={item.to}>
                    <NavLink
                      to={item.to}
                      className={({ isActive }) =>
                        isActive
                          ? "text-ink underline underline-offset-4"
                          : "text-muted hover:text-ink"
                      }
                    >
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            {/* A plain GET form: searching works before (or without) JavaScript. */}
            <search>
              <form action="/search" method="get" className="flex gap-1">
                <label htmlFor="site-search" className="sr-only">
                  Search profiles and news
                </label>
                <input
                  id="site-search"
                  type="search"
                  name="q"
                  maxLength={200}
                  placeholder="Search"
                  className="w-36 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm sm:w-48"
                />
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 px-2 py-1 text-sm text-muted hover:text-ink"
                >
                  Search
                </button>
              </form>
            </search>
            <nav aria-label="Account">
              <AccountLinks />
            </nav>
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
          {children}
        </main>
        <footer className="border-t border-slate-200 bg-white text-sm text-muted">
          <div className="mx-auto max-w-6xl px-4 py-6">
            Briefings tracks the organisations of the internet infrastructure ecosystem from public
            sources. Member briefings are unlocked by membership tier. <a href="/feed.rss">RSS</a> ·{" "}
            <a href="/feed.atom">Atom</a>
          </div>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
