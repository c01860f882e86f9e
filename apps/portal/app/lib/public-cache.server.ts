/**
 * What readers may have cached changed: a profile saved or published, articles imported, a
 * tier changed. The server's anonymous micro-cache (server/response-cache.ts) registers its
 * purge here, so editors' changes reach readers at once from this process; other processes
 * and shared caches follow within their lifetimes (decision 012).
 */
let purge: (() => void) | null = null;

export function onPublicContentChange(hook: () => void): void {
  purge = hook;
}

export function publicContentChanged(): void {
  purge?.();
}
