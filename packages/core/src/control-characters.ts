/**
 * Characters a form's text may not hold. Pure: the forms' schemas use these in the browser
 * and on the server alike.
 *
 * Two checks, because they guard against different things:
 *
 * - `hasControlCharacters`: C0 controls other than tab and line breaks, and DEL. They have
 *   no place in anything typed into a form, and PostgreSQL refuses one of them (NUL) in any
 *   text column: a value holding one would fail its query instead of getting an error
 *   beside its field. Every free-text field of every form refuses these.
 * - `hasBidiControls`: the bidirectional embeddings and overrides (U+202A–U+202E) and
 *   isolates (U+2066–U+2069), which make text display as something it is not ("Example
 *   \u202Egnp.exe" shows as "Example exe.png"). They are refused where the text is written
 *   by someone whom its reader has to judge by it: an applicant's organisation, role,
 *   statement and website, read by the reviewer deciding the application. Each schema says
 *   whether it refuses them, and why.
 */

/** C0 controls other than tab, line feed and carriage return, and DEL. */
export function hasControlCharacters(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value);
}

/** Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
export function hasBidiControls(value: string): boolean {
  return /[\u202a-\u202e\u2066-\u2069]/.test(value);
}
