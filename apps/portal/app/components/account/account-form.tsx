import { type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import type { z } from "zod";

/**
 * A conform form over one of the account schemas: validated in the browser on blur and
 * as the member types once a field was flagged, and again by the action, whose errors
 * (`lastResult`) show beside the same fields. Without JavaScript, only the server checks.
 */
export function useAccountForm<Schema extends z.ZodObject>(
  id: string,
  schema: Schema,
  lastResult: SubmissionResult<string[]> | null | undefined,
) {
  return useForm<z.input<Schema>, z.output<Schema>>({
    id,
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
}

/** The frame of every account page: one h1, an optional lead paragraph, a narrow column. */
export function AccountPage({
  title,
  lead,
  children,
  wide = false,
}: {
  title: string;
  lead?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className={`mx-auto w-full ${wide ? "max-w-2xl" : "max-w-md"}`}>
      <h1 className="text-3xl font-semibold tracking-tight">{title}</h1>
      {lead ? <div className="mt-2 text-muted">{lead}</div> : null}
      <div className="mt-6">{children}</div>
    </div>
  );
}

/** Links under a form ("Forgot your password?", "Create an account"). */
export function FormLinks({ children }: { children: ReactNode }) {
  return <ul className="mt-6 space-y-1 text-sm">{children}</ul>;
}
