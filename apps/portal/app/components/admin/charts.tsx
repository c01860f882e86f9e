import { useId } from "react";

/**
 * Charts drawn as inline SVG: no chart library, no script, no inline styles (the CSP
 * allows neither), only SVG presentation attributes and Tailwind classes. Each chart is
 * an image with an accessible name and a short description, and its numbers are in a
 * table right below it (in a <details>, open to anyone), which is its text alternative.
 */

export type ChartSeries = { name: string; values: readonly number[] };

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 44 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Colours that keep apart for most colour vision, and dash patterns in case they do not. */
const PALETTE = [
  { stroke: "#1d4ed8", dash: undefined },
  { stroke: "#b45309", dash: "6 3" },
  { stroke: "#047857", dash: "2 3" },
  { stroke: "#7c3aed", dash: "8 3 2 3" },
  { stroke: "#be123c", dash: "4 4" },
  { stroke: "#334155", dash: "1 2" },
] as const;

const dayLabel = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const longDayLabel = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** "2025-03-31" → "31 Mar" (or "31 March 2025" when `long`). */
export function formatDay(day: string, long = false): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : (long ? longDayLabel : dayLabel).format(date);
}

/** A round upper bound for the axis and its tick step: 0–7 → 8 by 2, 0–1000 → 1000 by 250. */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: ticks, step: 1 };
  const rough = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  // Counts are whole numbers: so are the steps between ticks.
  const step =
    [1, 2, 2.5, 5, 10]
      .map((m) => m * magnitude)
      .find((candidate) => Number.isInteger(candidate) && candidate >= rough) ?? 1;
  return { top: Math.ceil(max / step) * step, step };
}

/** Indexes of at most `count` evenly spread labels, the last one always included. */
function labelIndexes(length: number, count = 6): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const every = Math.ceil((length - 1) / (count - 1));
  const out: number[] = [];
  for (let i = length - 1; i >= 0; i -= every) out.unshift(i);
  return out;
}

function Axes({
  labels,
  top,
  step,
  x,
}: {
  labels: readonly string[];
  top: number;
  step: number;
  x: (i: number) => number;
}) {
  const y = (value: number) => MARGIN.top + PLOT_H - (value / top) * PLOT_H;
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return (
    <g fontSize="11" fill="#64748b">
      {ticks.map((value) => (
        <g key={value}>
          <line
            x1={MARGIN.left}
            x2={WIDTH - MARGIN.right}
            y1={y(value)}
            y2={y(value)}
            stroke="#e2e8f0"
            strokeWidth="1"
          />
          <text x={MARGIN.left - 6} y={y(value) + 4} textAnchor="end">
            {value.toLocaleString("en-GB")}
          </text>
        </g>
      ))}
      {labelIndexes(labels.length).map((i) => (
        <text
          key={i}
          x={x(i)}
          y={HEIGHT - 8}
          // The outermost labels stay inside the drawing.
          textAnchor={i === labels.length - 1 ? "end" : i === 0 ? "start" : "middle"}
        >
          {formatDay(labels[i] ?? "")}
        </text>
      ))}
    </g>
  );
}

function DataTableDetails({
  caption,
  firstColumn,
  labels,
  series,
}: {
  caption: string;
  firstColumn: string;
  labels: readonly string[];
  series: readonly ChartSeries[];
}) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-muted">Show the numbers as a table</summary>
      <div className="mt-2 max-h-80 overflow-auto rounded border border-slate-200">
        <table className="min-w-full text-left">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className="px-3 py-1 font-semibold">
                {firstColumn}
              </th>
              {series.map((s) => (
                <th key={s.name} scope="col" className="px-3 py-1 text-right font-semibold">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row" className="whitespace-nowrap px-3 py-1 font-normal">
                  <time dateTime={label}>{formatDay(label, true)}</time>
                </th>
                {series.map((s) => (
                  <td key={s.name} className="px-3 py-1 text-right tabular-nums">
                    {(s.values[i] ?? 0).toLocaleString("en-GB")}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** "Strategic Circle: 12 on 31 March 2025 (3 on 1 January 2025, at most 14)." */
function describeSeries(series: readonly ChartSeries[], labels: readonly string[]): string {
  const first = labels[0];
  const last = labels.at(-1);
  if (!first || !last) return "No data.";
  return series
    .map((s) => {
      const end = s.values.at(-1) ?? 0;
      const start = s.values[0] ?? 0;
      const peak = Math.max(0, ...s.values);
      return `${s.name}: ${end} on ${formatDay(last, true)} (${start} on ${formatDay(first, true)}, at most ${peak}).`;
    })
    .join(" ");
}

/**
 * A step chart: one line per series over the days in `labels` (YYYY-MM-DD), each value
 * holding until the next day's. `title` is the chart's accessible name.
 */
export function StepChart({
  title,
  labels,
  series,
  valueName,
}: {
  title: string;
  labels: readonly string[];
  series: readonly ChartSeries[];
  /** What a value counts, for the table's caption ("members"). */
  valueName: string;
}) {
  const id = useId();
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const { top, step } = niceScale(max);
  const count = Math.max(labels.length, 1);
  const x = (i: number) => MARGIN.left + (count === 1 ? PLOT_W / 2 : (i / (count - 1)) * PLOT_W);
  const y = (value: number) => MARGIN.top + PLOT_H - (value / top) * PLOT_H;
  const path = (values: readonly number[]) =>
    values.map((value, i) => (i === 0 ? `M${x(0)},${y(value)}` : `H${x(i)}V${y(value)}`)).join("");
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="text-base font-semibold">{title}</figcaption>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Legend">
        {series.map((s, i) => {
          const look = PALETTE[i % PALETTE.length] ?? PALETTE[0];
          return (
            <li key={s.name} className="flex items-center gap-1.5">
              <svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true">
                <line
                  x1="0"
                  x2="24"
                  y1="4"
                  y2="4"
                  stroke={look.stroke}
                  strokeWidth="2.5"
                  strokeDasharray={look.dash}
                />
              </svg>
              {s.name}
              <span className="text-muted tabular-nums">({s.values.at(-1) ?? 0} now)</span>
            </li>
          );
        })}
      </ul>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="mt-2 h-auto w-full"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{describeSeries(series, labels)}</desc>
        <Axes labels={labels} top={top} step={step} x={x} />
        {series.map((s, i) => {
          const look = PALETTE[i % PALETTE.length] ?? PALETTE[0];
          return (
            <path
              key={s.name}
              d={path(s.values)}
              fill="none"
              stroke={look.stroke}
              strokeWidth="2"
              strokeDasharray={look.dash}
              strokeLinejoin="round"
            />
          );
        })}
      </svg>
      <DataTableDetails
        caption={`${title}: ${valueName} at the end of each day`}
        firstColumn="Day"
        labels={labels}
        series={series}
      />
    </figure>
  );
}

/** A bar chart of one series over periods starting on the days in `labels`. */
export function BarChart({
  title,
  labels,
  values,
  valueName,
  periodName,
}: {
  title: string;
  labels: readonly string[];
  values: readonly number[];
  /** The series' name, and the table's column ("Sign-ups"). */
  valueName: string;
  /** The table's first column ("Day", "Week starting"). */
  periodName: string;
}) {
  const id = useId();
  const max = Math.max(0, ...values);
  const { top, step } = niceScale(max);
  const count = Math.max(labels.length, 1);
  const slot = PLOT_W / count;
  const barWidth = Math.max(1, slot * 0.7);
  const x = (i: number) => MARGIN.left + slot * i + slot / 2;
  const y = (value: number) => MARGIN.top + PLOT_H - (value / top) * PLOT_H;
  const total = values.reduce((sum, value) => sum + value, 0);
  const first = labels[0];
  const busiest = values.indexOf(max);
  const description =
    first === undefined
      ? "No data."
      : `${total.toLocaleString("en-GB")} in all since ${formatDay(first, true)}` +
        (max > 0
          ? `; most (${max}) in the period starting ${formatDay(labels[busiest] ?? "", true)}.`
          : ".");
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="text-base font-semibold">{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="mt-2 h-auto w-full"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <Axes labels={labels} top={top} step={step} x={x} />
        <g fill={PALETTE[0].stroke}>
          {values.map((value, i) =>
            value > 0 ? (
              <rect
                key={labels[i] ?? i}
                x={x(i) - barWidth / 2}
                y={y(value)}
                width={barWidth}
                height={MARGIN.top + PLOT_H - y(value)}
              />
            ) : null,
          )}
        </g>
      </svg>
      <DataTableDetails
        caption={`${title}, as a table`}
        firstColumn={periodName}
        labels={labels}
        series={[{ name: valueName, values }]}
      />
    </figure>
  );
}
