/**
 * CSV as spreadsheets read it (RFC 4180: comma-separated, CRLF, quotes doubled). A cell
 * that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe, so a member's name cannot become a formula in an admin's
 * spreadsheet (CSV injection).
 */
export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  let text =
    value === null || value === undefined
      ? ""
      : value instanceof Date
        ? value.toISOString()
        : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(cells: readonly Parameters<typeof csvCell>[0][]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
