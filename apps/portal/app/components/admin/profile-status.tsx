const STYLE = {
  draft: "bg-slate-200 text-ink",
  scheduled: "bg-amber-100 text-amber-900",
  published: "bg-emerald-100 text-emerald-900",
} as const;

const LABEL = { draft: "Draft", scheduled: "Scheduled", published: "Published" } as const;

export function StatusBadge({ status }: { status: keyof typeof STYLE }) {
  return (
    <span className={`rounded px-2 py-0.5 text-xs font-semibold ${STYLE[status]}`}>
      {LABEL[status]}
    </span>
  );
}
