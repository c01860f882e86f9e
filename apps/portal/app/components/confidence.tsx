import { CONFIDENCE_BANDS, formatConfidence, gradeConfidence } from "@briefings/core";

export function ConfidenceBadge({ score }: { score: number }) {
  const band = gradeConfidence(score);
  return (
    <span
      className="inline-flex items-center gap-1 rounded bg-slate-100 px-2 py-0.5 text-xs font-semibold text-ink"
      title={`Confidence ${formatConfidence(score)}: ${band.meaning}`}
    >
      <span aria-hidden="true">◆</span>
      <span>
        Grade {band.grade}
        <span className="sr-only">
          , confidence {formatConfidence(score)}, {band.meaning}
        </span>
      </span>
    </span>
  );
}

/** The seed page's grading table with the profile's own band marked. */
export function ConfidenceTable({ score }: { score: number }) {
  const current = gradeConfidence(score);
  const bands = CONFIDENCE_BANDS.map((band, i) => ({
    ...band,
    max: i === 0 ? 1 : (CONFIDENCE_BANDS[i - 1]?.min ?? 1) - 0.01,
  }));
  return (
    <table className="mt-3 w-full text-left text-sm">
      <caption className="sr-only">How confidence scores are graded</caption>
      <thead>
        <tr className="border-b border-slate-200 text-muted">
          <th scope="col" className="py-1 pr-3 font-medium">
            Score
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Grade
          </th>
          <th scope="col" className="py-1 font-medium">
            Meaning
          </th>
        </tr>
      </thead>
      <tbody>
        {bands.map((band) => {
          const isCurrent = band === bands.find((b) => b.min === current.min);
          return (
            <tr
              key={band.min}
              className={isCurrent ? "bg-amber-50 font-semibold" : "border-b border-slate-100"}
              aria-current={isCurrent ? "true" : undefined}
            >
              <td className="py-1 pr-3 tabular-nums">
                {band.min.toFixed(2)}–{band.max.toFixed(2)}
              </td>
              <td className="py-1 pr-3">{band.grade}</td>
              <td className="py-1">
                {band.meaning}
                {isCurrent ? <span className="sr-only"> (this profile)</span> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
