import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoizeWithTtl } from "./ttl-cache.server.ts";

describe("memoizeWithTtl", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("answers from memory until the time runs out, per key", async () => {
    const calls: string[] = [];
    const load = memoizeWithTtl(
      async (name: string) => {
        calls.push(name);
        return name.length;
      },
      {
        ttlMs: 1000,
      },
    );
    expect(await load("ab")).toBe(2);
    expect(await load("ab")).toBe(2);
    expect(await load("abc")).toBe(3);
    expect(calls).toEqual(["ab", "abc"]);
    vi.advanceTimersByTime(1001);
    await load("ab");
    expect(calls).toEqual(["ab", "abc", "ab"]);
  });

  it("shares one pending call between concurrent callers and forgets failures", async () => {
    let calls = 0;
    const load = memoizeWithTtl(
      async () => {
        calls++;
        if (calls === 1) throw new Error("database down");
        return "ok";
      },
      { ttlMs: 60_000 },
    );
    const [a, b] = await Promise.allSettled([load(), load()]);
    expect(a.status).toBe("rejected");
    expect(b.status).toBe("rejected");
    expect(calls).toBe(1);
    await vi.runAllTimersAsync();
    expect(await load()).toBe("ok");
    expect(calls).toBe(2);
  });

  it("keeps at most maxEntries keys, dropping the oldest", async () => {
    const calls: number[] = [];
    const load = memoizeWithTtl(
      async (n: number) => {
        calls.push(n);
        return n;
      },
      {
        ttlMs: 60_000,
        maxEntries: 2,
      },
    );
    await load(1);
    await load(2);
    await load(3);
    await load(1);
    expect(calls).toEqual([1, 2, 3, 1]);
  });
});
