import { describe, expect, it } from "vitest";
import { formatDay, niceScale } from "./charts.tsx";

describe("niceScale", () => {
  it.each([
    [0, { top: 4, step: 1 }],
    [3, { top: 3, step: 1 }],
    [7, { top: 8, step: 2 }],
    [130, { top: 150, step: 50 }],
    [1000, { top: 1000, step: 250 }],
  ] as [number, { top: number; step: number }][])("rounds an axis up to %d as %j", (max, scale) => {
    expect(niceScale(max)).toEqual(scale);
  });

  it("always reaches the largest value, in whole steps", () => {
    for (let max = 1; max < 5000; max += 37) {
      const { top, step } = niceScale(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(Number.isInteger(step)).toBe(true);
      expect(top % step).toBe(0);
      expect(top / step).toBeLessThanOrEqual(5);
    }
  });
});

describe("formatDay", () => {
  it("writes UTC days short or long", () => {
    expect(formatDay("2025-03-31")).toBe("31 Mar");
    expect(formatDay("2025-03-31", true)).toBe("31 March 2025");
    expect(formatDay("not a day")).toBe("not a day");
  });
});
