import { z } from "zod";

/** The seed page's grading table, highest band first. Bands are closed on the left. */
export const CONFIDENCE_BANDS = [
  { min: 0.9, grade: "A", label: "High", meaning: "High — direct sources" },
  { min: 0.75, grade: "A/B", label: "Strong", meaning: "Strong" },
  { min: 0.55, grade: "B/C", label: "Medium", meaning: "Medium" },
  { min: 0.35, grade: "C/D", label: "Weak–medium", meaning: "Weak–medium" },
  { min: 0.1, grade: "D", label: "Weak signal", meaning: "Weak signal" },
  { min: 0, grade: "D", label: "Internal monitoring", meaning: "Internal monitoring" },
] as const;

export type ConfidenceBand = (typeof CONFIDENCE_BANDS)[number];
export type ConfidenceGrade = ConfidenceBand["grade"];
export const CONFIDENCE_GRADES = [
  "A",
  "A/B",
  "B/C",
  "C/D",
  "D",
] as const satisfies readonly ConfidenceGrade[];

export const confidenceScoreSchema = z
  .number({ error: "confidence must be a number" })
  .min(0, { error: "confidence must be between 0 and 1" })
  .max(1, { error: "confidence must be between 0 and 1" });

/** Grades a confidence score in [0, 1]; throws a RangeError outside it. */
export function gradeConfidence(score: number): ConfidenceBand {
  if (!Number.isFinite(score) || score < 0 || score > 1) {
    throw new RangeError(`confidence must be between 0 and 1, got ${score}`);
  }
  // Bands are ordered high to low and the last one starts at 0, so one always matches.
  return CONFIDENCE_BANDS.find((band) => score >= band.min) as ConfidenceBand;
}

/** The score range a grade covers, for filtering stored scores by grade. */
export function confidenceRangeForGrade(grade: ConfidenceGrade): { min: number; max: number } {
  const bands = CONFIDENCE_BANDS.map((band, i) => ({
    ...band,
    max: i === 0 ? 1 : (CONFIDENCE_BANDS[i - 1]?.min ?? 1),
  })).filter((band) => band.grade === grade);
  return {
    min: Math.min(...bands.map((b) => b.min)),
    max: Math.max(...bands.map((b) => b.max)),
  };
}

/**
 * The score as shown beside its grade: two decimals, unless rounding would move it
 * across a band boundary (0.7499 must not read "0.75" next to grade B/C).
 */
export function formatConfidence(score: number): string {
  const band = gradeConfidence(score);
  const short = score.toFixed(2);
  return gradeConfidence(Number(short)).min === band.min ? short : String(score);
}
