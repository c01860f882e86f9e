import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type ParsedNode,
  parseDocument,
  type YAMLError,
} from "yaml";
import type { z } from "zod";
import { type Article, articleSchema } from "../schemas/article.ts";
import { repairMojibake } from "./mojibake.ts";

/** One problem found in an article file, precise enough to fix it without reading the parser. */
export type ParseIssue = {
  file: string;
  /** Dotted path of the offending field (`images.0.url`), or null for the file as a whole. */
  field: string | null;
  /** 1-based line in the file, or null when no line applies (e.g. the file is too large). */
  line: number | null;
  message: string;
};

export type ArticleParseResult =
  | { ok: true; article: Article; warnings: ParseIssue[] }
  | { ok: false; errors: ParseIssue[] };

export type ArticleParseOptions = {
  /** Largest accepted file, in UTF-8 bytes. Defaults to 1 MiB. */
  maxBytes?: number;
};

export const DEFAULT_ARTICLE_MAX_BYTES = 1024 * 1024;

/** `file:line: field: message`; the line or field part is left out when there is none. */
export function formatParseIssue(issue: ParseIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return issue.field === null
    ? `${where}: ${issue.message}`
    : `${where}: ${issue.field}: ${issue.message}`;
}

/** The front-matter keys an article file may carry; `body` comes from the markdown instead. */
const KNOWN_KEYS: ReadonlySet<string> = new Set(
  Object.keys(articleSchema.shape).filter((key) => key !== "body"),
);

/** Tags the core schema resolves by itself. Anything else is an application-defined tag and refused. */
const CORE_TAGS: ReadonlySet<string> = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

type PathSegment = string | number;

/** Where a key (or a sequence item) sits in the source, for turning paths into lines. */
type Located = { path: PathSegment[]; start: number; end: number };

type FrontMatter = {
  yaml: string;
  /** 1-based file line of the first YAML line. */
  yamlFirstLine: number;
  body: string;
  /** 1-based file line where the body starts. */
  bodyFirstLine: number;
};

export function parseArticleFile(
  text: string,
  fileName: string,
  options: ArticleParseOptions = {},
): ArticleParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_ARTICLE_MAX_BYTES;
  const issue = (field: string | null, line: number | null, message: string): ParseIssue => ({
    file: fileName,
    field,
    line,
    message,
  });

  const bytes = utf8ByteLength(text, maxBytes);
  if (bytes > maxBytes) {
    return {
      ok: false,
      errors: [
        issue(
          null,
          null,
          `${fileName} is too large: more than ${maxBytes} bytes (limit ${formatBytes(maxBytes)})`,
        ),
      ],
    };
  }

  const split = splitFrontMatter(text);
  if ("error" in split) return { ok: false, errors: [issue(null, split.line, split.error)] };
  const { yaml, yamlFirstLine, body, bodyFirstLine } = split;

  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, {
    uniqueKeys: true,
    schema: "core",
    merge: false,
    prettyErrors: false,
    lineCounter,
  });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line + yamlFirstLine - 1;

  const located: Located[] = [];
  const errors: ParseIssue[] = [];
  const warnings: ParseIssue[] = [];
  if (doc.contents)
    collect(doc.contents, [], located, (path, offset, message) => {
      errors.push(issue(dotted(path), lineAt(offset), message));
    });

  /** The key an error belongs to: the one it sits on (a duplicate), else the innermost value it ends up in. */
  const locate = (error: YAMLError): Located | null => {
    const offset = error.pos[0];
    let best: Located | null = null;
    for (const entry of located) {
      const onKey = error.code === "DUPLICATE_KEY" && offset >= entry.start && offset < entry.end;
      // A parser error often lands on the first character after the broken value, so the
      // end is inclusive; an entry starting exactly there is the next key, not the culprit.
      const inValue = offset > entry.start && offset <= entry.end;
      if (!onKey && !inValue) continue;
      if (!best || entry.path.length >= best.path.length) best = entry;
    }
    return best;
  };

  for (const error of doc.errors) {
    errors.push(yamlIssue(error, locate, lineAt, issue));
  }
  for (const warning of doc.warnings) {
    // Unresolved tags are already reported as errors by `collect`.
    if (warning.code === "TAG_RESOLVE_FAILED") continue;
    warnings.push(yamlIssue(warning, locate, lineAt, issue));
  }
  if (errors.length > 0) return { ok: false, errors: sortIssues(errors) };

  if (!isMap(doc.contents)) {
    return {
      ok: false,
      errors: [
        issue(null, yamlFirstLine - 1, "front matter must be a YAML mapping of keys to values"),
      ],
    };
  }

  const lineOfPath = (path: readonly PathSegment[]): number => {
    // A missing key has no line of its own: point at the closest ancestor that exists,
    // or at the opening `---` when the key is missing at the top level.
    for (let length = path.length; length > 0; length--) {
      const key = dotted(path.slice(0, length));
      const entry = located.find((candidate) => dotted(candidate.path) === key);
      if (entry) return lineAt(entry.start);
    }
    return yamlFirstLine - 1;
  };

  const raw: unknown = doc.toJS();
  const data: Record<string, unknown> = { ...(raw as Record<string, unknown>) };

  for (const key of Object.keys(data)) {
    if (KNOWN_KEYS.has(key)) continue;
    const message =
      key === "body"
        ? `"body" is not a front-matter key; the markdown after the closing --- is the body. Ignored`
        : `unknown key "${key}" is ignored`;
    warnings.push(issue(key, lineOfPath([key]), message));
    delete data[key];
  }

  data.body = body;
  const repaired: PathSegment[][] = [];
  const fixed = repairStrings(data, [], repaired);
  for (const path of repaired) {
    const line = path[0] === "body" ? bodyFirstLine : lineOfPath(path);
    warnings.push(
      issue(dotted(path), line, "repaired mis-decoded characters (UTF-8 read as Windows-1252)"),
    );
  }

  const result = articleSchema.safeParse(fixed);
  if (!result.success) {
    return {
      ok: false,
      errors: sortIssues(
        result.error.issues.map((zodIssue) => {
          const path = zodIssue.path.filter(
            (segment): segment is PathSegment => typeof segment !== "symbol",
          );
          const line = path[0] === "body" ? bodyFirstLine : lineOfPath(path);
          return issue(
            path.length > 0 ? dotted(path) : null,
            line,
            zodMessage(zodIssue, fixed, path),
          );
        }),
      ),
    };
  }
  return { ok: true, article: result.data, warnings: sortIssues(warnings) };
}

function splitFrontMatter(text: string): FrontMatter | { error: string; line: number } {
  // A BOM and CRLF change neither line numbers nor meaning; drop both before looking for `---`.
  const normalised = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = normalised.split("\n");
  if (lines[0]?.trimEnd() !== "---") {
    return {
      error: "missing front matter: an article file must start with a line containing only ---",
      line: 1,
    };
  }
  const closing = lines.findIndex((line, index) => index > 0 && line.trimEnd() === "---");
  if (closing === -1) {
    return { error: "front matter is not closed: no second line containing only ---", line: 1 };
  }
  let bodyStart = closing + 1;
  // Blank lines between the front matter and the text are layout, not body.
  while (bodyStart < lines.length - 1 && lines[bodyStart]?.trim() === "") bodyStart++;
  return {
    yaml: lines.slice(1, closing).join("\n"),
    yamlFirstLine: 2,
    body: lines.slice(bodyStart).join("\n").trimEnd(),
    bodyFirstLine: bodyStart + 1,
  };
}

/**
 * Records where every key and item is and refuses what the format does not allow:
 * anchors and aliases (they make one value appear in many places and open the door
 * to alias bombs) and tags outside the core schema.
 */
function collect(
  node: ParsedNode,
  path: PathSegment[],
  out: Located[],
  refuse: (path: PathSegment[], offset: number, message: string) => void,
): void {
  const start = node.range[0];
  if (isAlias(node)) {
    refuse(path, start, `alias *${node.source} is not allowed; write the value out`);
    return;
  }
  if (node.anchor) refuse(path, start, `anchor &${node.anchor} is not allowed`);
  if (node.tag && !CORE_TAGS.has(node.tag)) refuse(path, start, `tag ${node.tag} is not allowed`);

  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : "?";
      const keyPath = [...path, name];
      const end = pair.value?.range[2] ?? key.range[2];
      out.push({ path: keyPath, start: key.range[0], end });
      if (!isScalar(key)) refuse(keyPath, key.range[0], "keys must be plain values");
      collect(key, keyPath, out, refuse);
      if (pair.value) collect(pair.value, keyPath, out, refuse);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const itemPath = [...path, index];
      out.push({ path: itemPath, start: item.range[0], end: item.range[2] });
      collect(item, itemPath, out, refuse);
    });
  }
}

function yamlIssue(
  error: YAMLError,
  locate: (error: YAMLError) => Located | null,
  lineAt: (offset: number) => number,
  issue: (field: string | null, line: number | null, message: string) => ParseIssue,
): ParseIssue {
  const entry = locate(error);
  if (!entry) return issue(null, lineAt(error.pos[0]), error.message);
  const message =
    error.code === "DUPLICATE_KEY"
      ? `key "${entry.path.at(-1)}" appears more than once`
      : error.message;
  return issue(dotted(entry.path), lineAt(entry.start), message);
}

function repairStrings(value: unknown, path: PathSegment[], repaired: PathSegment[][]): unknown {
  if (typeof value === "string") {
    const fixed = repairMojibake(value);
    if (fixed !== value) repaired.push(path);
    return fixed;
  }
  if (Array.isArray(value))
    return value.map((item, index) => repairStrings(item, [...path, index], repaired));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        repairStrings(item, [...path, key], repaired),
      ]),
    );
  }
  return value;
}

function zodMessage(
  zodIssue: z.core.$ZodIssue,
  data: unknown,
  path: readonly PathSegment[],
): string {
  if (zodIssue.code === "invalid_type") {
    const value = valueAt(data, path);
    if (value === undefined) return "is required";
    // `key:` with nothing after it is YAML null, which reads as a forgotten value.
    if (value === null) return "is empty; a value is required";
  }
  return zodIssue.message;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

const dotted = (path: readonly PathSegment[]): string => path.join(".");

function sortIssues(issues: ParseIssue[]): ParseIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.index - b.index)
    .map(({ issue }) => issue);
}

/**
 * UTF-8 length of `text`, counting stops once it passes `limit` so an enormous
 * upload costs no more than the limit to refuse.
 */
function utf8ByteLength(text: string, limit: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > limit) return bytes;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
