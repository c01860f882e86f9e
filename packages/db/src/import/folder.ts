/** Article files on disk, for `npm run import` and the import benchmark. */
import type { Dirent } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_ARTICLE_MAX_BYTES } from "@briefings/core";
import type { ArticleFileInput } from "./articles.ts";

/**
 * Every `*.md` file under `root`, recursively, as paths relative to it (with `/`), in
 * code-point order so that runs are repeatable. Hidden files and folders (a leading dot)
 * are skipped; symbolic links to files are followed, to folders not (no loops).
 */
export async function listArticleFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries: Dirent[] = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (/\.md$/i.test(entry.name) && (entry.isFile() || (await isLinkToFile(root, child))))
        found.push(child);
    }
  };
  await walk("");
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function isLinkToFile(root: string, relative: string): Promise<boolean> {
  try {
    return (await stat(path.join(root, relative))).isFile();
  } catch {
    return false;
  }
}

/**
 * The files' raw bytes, a few read ahead. A file larger than `maxBytes` is read only
 * as far as `maxBytes + 1` bytes: enough for the importer to refuse it as too large
 * without holding all of it in memory.
 */
export async function* readArticleFiles(
  root: string,
  paths: readonly string[],
  maxBytes = DEFAULT_ARTICLE_MAX_BYTES,
): AsyncGenerator<ArticleFileInput> {
  const readAhead = 32;
  for (let first = 0; first < paths.length; first += readAhead) {
    const batch = paths.slice(first, first + readAhead);
    yield* await Promise.all(
      batch.map(async (name): Promise<ArticleFileInput> => {
        try {
          return { name, text: await readUpTo(path.join(root, name), maxBytes) };
        } catch (error) {
          return { name, error: (error as Error).message };
        }
      }),
    );
  }
}

async function readUpTo(file: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, maxBytes + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
