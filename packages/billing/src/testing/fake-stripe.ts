import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the handful of Stripe API endpoints billing uses, for tests without
 * the network: the real `stripe` SDK is pointed at it (STRIPE_API_URL). It keeps objects in
 * memory, answers in Stripe's shapes and error format, honours Idempotency-Key, and lets a
 * test drive what Stripe would do on its own (a checkout completed, a renewal failing).
 *
 * Endpoints are registered with `route()`, one module per area (see ./fake-stripe-*.ts). With
 * a base URL and the hosted pages (./fake-stripe-hosted.ts) it also stands in for Stripe's
 * checkout and customer portal pages, for browser tests (src/cli/fake-stripe-server.ts).
 */

export type StripeObject = Record<string, unknown> & { id: string; object: string };

/** A form body as Stripe's SDK sends it: `a[b][0][c]=1` becomes { a: { b: [{ c: "1" }] } }. */
export type Params = Record<string, unknown>;

export type FakeRequest = {
  method: string;
  path: string;
  /** Path parameters, e.g. { id } for "/v1/subscriptions/:id". */
  params: Record<string, string>;
  /** Form body (POST) or query string (GET), decoded. */
  body: Params;
  headers: http.IncomingHttpHeaders;
};

export type FakeResponse = {
  status: number;
  body: unknown;
  /** With a Content-Type of its own, `body` is a string sent as it is (a page, a redirect). */
  headers?: Record<string, string>;
};

/** May be async: a hosted page waits for the webhook deliveries it makes before answering. */
export type Handler = (
  request: FakeRequest,
  stripe: FakeStripe,
) => FakeResponse | StripeObject | Promise<FakeResponse | StripeObject>;

/** An HTML page (the hosted checkout and portal pages). */
export function htmlResponse(status: number, html: string): FakeResponse {
  return { status, body: html, headers: { "Content-Type": "text/html; charset=utf-8" } };
}

/** A 303 See Other, as a page answers a form it handled. */
export function redirectResponse(location: string): FakeResponse {
  return {
    status: 303,
    body: "",
    headers: { "Content-Type": "text/plain; charset=utf-8", Location: location },
  };
}

/** A Stripe API error, answered in Stripe's format. */
export class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: "invalid_request_error" | "card_error" | "api_error",
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function notFound(kind: string, id: string): never {
  throw new FakeStripeError(
    404,
    "invalid_request_error",
    `No such ${kind}: '${id}'`,
    "resource_missing",
  );
}

/** Decodes bracket notation, as the SDK encodes nested parameters. */
export function decodeParams(search: URLSearchParams): Params {
  const root: Params = {};
  for (const [key, value] of search) {
    const parts = key.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, index) => {
      const last = index === parts.length - 1;
      const nextIsIndex = /^\d+$/.test(parts[index + 1] ?? "");
      const slot = Array.isArray(node) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
        return;
      }
      if (container[slot] === undefined) container[slot] = nextIsIndex ? [] : {};
      node = container[slot] as Record<string, unknown> | unknown[];
    });
  }
  return root;
}

export type FakeStripeOptions = {
  /**
   * "fixed" (the default): `now` stands still unless a test moves it, so timestamps are
   * predictable. "wall": it runs with the real clock (a long-lived server, where objects made
   * a minute apart should be a minute apart); setting `now` then shifts it.
   */
  clock?: "fixed" | "wall";
};

export class FakeStripe {
  /** Every object by id, of every kind. */
  readonly objects = new Map<string, StripeObject>();
  /** Requests received, in order (method and path), for assertions. */
  readonly requests: { method: string; path: string; body: Params }[] = [];
  private readonly routes: { method: string; pattern: RegExp; keys: string[]; handler: Handler }[] =
    [];
  private readonly idempotent = new Map<string, { fingerprint: string; response: FakeResponse }>();
  private server: http.Server | null = null;
  private readonly wallClock: boolean;
  /** The fixed clock's time, or the wall clock's offset. */
  private clock: number;
  /**
   * Where the pages the fake hosts (checkout, customer portal, receipts) are reached, e.g.
   * http://127.0.0.1:12111: set it to what start() answered. Null (the default): session and
   * invoice URLs name Stripe's own hosts, which a test of the API alone never opens.
   */
  baseUrl: string | null = null;

  constructor(options: FakeStripeOptions = {}) {
    this.wallClock = options.clock === "wall";
    this.clock = this.wallClock ? 0 : wallSeconds();
  }

  /** The fake's clock, in Unix seconds, as Stripe's timestamps are; tests may move it. */
  get now(): number {
    return this.wallClock ? wallSeconds() + this.clock : this.clock;
  }

  set now(value: number) {
    this.clock = this.wallClock ? value - wallSeconds() : value;
  }

  /** Registers an endpoint: `route("POST", "/v1/customers/:id", handler)`. */
  route(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:([a-z_]+)/g, (_, key: string) => {
        keys.push(key);
        return "([^/]+)";
      })}$`,
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  /** A new id with Stripe's prefix for the kind (cus_, sub_, evt_, …). */
  newId(prefix: string): string {
    return `${prefix}_${randomBytes(12).toString("hex")}`;
  }

  /** Stores an object (created or replaced) and answers it. */
  save<T extends StripeObject>(object: T): T {
    this.objects.set(object.id, object);
    return object;
  }

  get(id: string, kind: string): StripeObject {
    const object = this.objects.get(id);
    if (!object || object.object !== kind) notFound(kind, id);
    return object;
  }

  all(kind: string): StripeObject[] {
    return [...this.objects.values()].filter((object) => object.object === kind);
  }

  /** A Stripe list: newest first, `limit` and `starting_after` as Stripe pages them. */
  list(kind: string, body: Params, filter: (object: StripeObject) => boolean = () => true) {
    // Made in the same second: the one made later first (the sort keeps this order).
    const items = this.all(kind)
      .filter(filter)
      .reverse()
      .sort((a, b) => Number(b.created ?? 0) - Number(a.created ?? 0));
    const limit = Math.min(Number(body.limit ?? 10), 100);
    const after = typeof body.starting_after === "string" ? body.starting_after : null;
    const start = after ? items.findIndex((item) => item.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return {
      status: 200,
      body: { object: "list", data, has_more: start + limit < items.length, url: `/v1/${kind}s` },
    };
  }

  /** Listens on 127.0.0.1, on `port` (a free one by default), and answers its address. */
  async start(options: { port?: number } = {}): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: String(error) } }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const query = req.method === "GET" || req.method === "HEAD";
    const body = decodeParams(new URLSearchParams(query ? url.search : raw));
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, body });
    const answer = (response: FakeResponse) => {
      const asIs = response.headers?.["Content-Type"] !== undefined;
      res.writeHead(response.status, {
        "Content-Type": "application/json",
        "Request-Id": this.newId("req"),
        ...response.headers,
      });
      res.end(asIs ? String(response.body) : JSON.stringify(response.body));
    };
    const key = req.headers["idempotency-key"];
    const fingerprint = `${req.method} ${url.pathname} ${raw}`;
    if (typeof key === "string" && req.method === "POST") {
      const seen = this.idempotent.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint)
          return answer({
            status: 400,
            body: {
              error: {
                type: "idempotency_error",
                message: "Keys for idempotent requests can only be used with the same parameters",
              },
            },
          });
        return answer(seen.response);
      }
    }
    const response = await this.dispatch(req.method ?? "GET", url.pathname, body, req.headers);
    if (typeof key === "string" && req.method === "POST" && response.status < 500)
      this.idempotent.set(key, { fingerprint, response });
    answer(response);
  }

  private async dispatch(
    method: string,
    path: string,
    body: Params,
    headers: http.IncomingHttpHeaders,
  ): Promise<FakeResponse> {
    // HEAD is answered as GET without its body (Node leaves the body out), as a readiness
    // probe may ask.
    const asMethod = method === "HEAD" ? "GET" : method;
    for (const route of this.routes) {
      if (route.method !== asMethod) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(
        route.keys.map((key, index) => [key, decodeURIComponent(match[index + 1] ?? "")]),
      );
      try {
        const result = await route.handler({ method, path, params, body, headers }, this);
        return "status" in result && "body" in result && !("object" in result)
          ? (result as FakeResponse)
          : { status: 200, body: result };
      } catch (error) {
        if (error instanceof FakeStripeError)
          return {
            status: error.status,
            body: { error: { type: error.type, message: error.message, code: error.code } },
          };
        throw error;
      }
    }
    return {
      status: 404,
      body: {
        error: {
          type: "invalid_request_error",
          message: `Unrecognized request URL (${method}: ${path}).`,
        },
      },
    };
  }
}

function wallSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
