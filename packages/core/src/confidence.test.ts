import { describe, expect, it } from "vitest";
import {
  CONFIDENCE_BANDS,
  confidenceRangeForGrade,
  confidenceScoreSchema,
  formatConfidence,
  gradeConfidence,
} from "./confidence.ts";

describe("gradeConfidence", () => {
  const cases: [score: number, grade: string, label: string][] = [
    [0, "D", "Internal monitoring"],
    [0.09, "D", "Internal monitoring"],
    [0.1, "D", "Weak signal"],
    [0.34, "D", "Weak signal"],
    [0.35, "C/D", "Weak–medium"],
    [0.5499, "C/D", "Weak–medium"],
    [0.55, "B/C", "Medium"],
    [0.74, "B/C", "Medium"],
    [0.7499, "B/C", "Medium"],
    [0.75, "A/B", "Strong"],
    [0.89, "A/B", "Strong"],
    [0.9, "A", "High"],
    [1.0, "A", "High"],
  ];

  for (const [score, grade, label] of cases) {
    it(`grades ${score} as ${grade} (${label})`, () => {
      const band = gradeConfidence(score);
      expect(band.grade).toBe(grade);
      expect(band.label).toBe(label);
    });
  }

  it("closes bands on the left: each band's minimum belongs to it, just below belongs to the next", () => {
    for (const [i, band] of CONFIDENCE_BANDS.entries()) {
      expect(gradeConfidence(band.min)).toBe(band);
      const below = CONFIDENCE_BANDS[i + 1];
      if (below) expect(gradeConfidence(band.min - 1e-9)).toBe(below);
    }
  });

  for (const bad of [-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`throws a RangeError for ${bad}`, () => {
      expect(() => gradeConfidence(bad)).toThrow(RangeError);
      expect(() => gradeConfidence(bad)).toThrow(/between 0 and 1/);
    });
  }

  it("refuses the same out-of-range scores in the schema", () => {
    expect(confidenceScoreSchema.safeParse(0.5).success).toBe(true);
    expect(confidenceScoreSchema.safeParse(-0.01).success).toBe(false);
    expect(confidenceScoreSchema.safeParse(1.01).success).toBe(false);
    expect(confidenceScoreSchema.safeParse(Number.NaN).success).toBe(false);
  });
});

describe("confidenceRangeForGrade", () => {
  it("gives the half-open range of each single-band grade", () => {
    expect(confidenceRangeForGrade("A")).toEqual({ min: 0.9, max: 1 });
    expect(confidenceRangeForGrade("A/B")).toEqual({ min: 0.75, max: 0.9 });
    expect(confidenceRangeForGrade("B/C")).toEqual({ min: 0.55, max: 0.75 });
    expect(confidenceRangeForGrade("C/D")).toEqual({ min: 0.35, max: 0.55 });
  });

  it("spans both D bands (weak signal and internal monitoring)", () => {
    expect(confidenceRangeForGrade("D")).toEqual({ min: 0, max: 0.35 });
  });

  it("agrees with gradeConfidence at both ends of every range", () => {
    for (const grade of ["A", "A/B", "B/C", "C/D", "D"] as const) {
      const { min, max } = confidenceRangeForGrade(grade);
      expect(gradeConfidence(min).grade).toBe(grade);
      if (max < 1) expect(gradeConfidence(max).grade).not.toBe(grade);
      expect(gradeConfidence(max - 1e-9).grade).toBe(grade);
    }
  });
});

describe("formatConfidence", () => {
  it("shows two decimals unless rounding would cross into another grade", () => {
    expect(formatConfidence(0.62)).toBe("0.62");
    expect(formatConfidence(0.9)).toBe("0.90");
    expect(formatConfidence(0.7499)).toBe("0.7499");
    expect(formatConfidence(0.899)).toBe("0.899");
    expect(formatConfidence(0.751)).toBe("0.75");
  });
});
