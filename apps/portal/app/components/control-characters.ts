/**
 * Control characters other than tab and line breaks have no place in a form's text, and
 * the database refuses one of them (NUL) in any text column: the forms whose text the
 * shared schemas of @briefings/core do not check for them check with this.
 */
export function hasControlCharacters(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value);
}
