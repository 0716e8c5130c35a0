/**
 * A table once, rendered three ways: aligned terminal text, Markdown and HTML. Every
 * command's tables go through here (hw, precision, bench, report).
 */
import { NONE } from "./numbers.js";

/** Column alignment: left or right. */
export type Align = "l" | "r";

/** Rows of cells; without `align` the first column is left-aligned and the others right-aligned. */
export interface Table {
  /** A title line above the table (text: plain, Markdown: bold, HTML: the caption). */
  readonly caption?: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column; missing entries take the default. HTML right-aligns numeric cells only. */
  readonly align?: readonly Align[];
}

function alignOf(t: Table, column: number): Align {
  return t.align?.[column] ?? (column === 0 ? "l" : "r");
}

function pad(cell: string, width: number, align: Align): string {
  return align === "l" ? cell.padEnd(width) : cell.padStart(width);
}

/** The widest cell of each column, header included. */
function columnWidths(headers: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
}

/** Aligned plain text: caption, header, a rule of dashes, rows; no trailing newline. */
export function tableText(t: Table): string {
  const widths = columnWidths(t.headers, t.rows);
  const line = (r: readonly string[]): string =>
    r
      .map((c, j) => pad(c, widths[j]!, alignOf(t, j)))
      .join("  ")
      .trimEnd();
  const lines = [line(t.headers), widths.map((w) => "-".repeat(w)).join("  "), ...t.rows.map(line)];
  return (t.caption === undefined ? lines : [t.caption, ...lines]).join("\n");
}

/** A Markdown table with padded columns (pipes in cells escaped), under its caption in bold. */
export function tableMarkdown(t: Table): string {
  const escapeCell = (c: string): string => c.replace(/\|/g, "\\|");
  const headers = t.headers.map(escapeCell);
  const rows = t.rows.map((r) => r.map(escapeCell));
  const widths = columnWidths(headers, rows);
  const line = (r: readonly string[]): string =>
    `| ${r.map((c, j) => pad(c, widths[j]!, alignOf(t, j))).join(" | ")} |`;
  const dashes = (w: number, j: number): string =>
    alignOf(t, j) === "r" ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`;
  const rule = `|${widths.map(dashes).join("|")}|`;
  const table = [line(headers), rule, ...rows.map(line)].join("\n");
  return t.caption === undefined ? table : `**${t.caption}**\n\n${table}`;
}

/** Text escaped for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A number as cli/numbers.ts prints it (optionally with a unit), or the missing-value dash. */
function numeric(c: string): boolean {
  return /^[−+-]?[\d.]+(e[−+-]?\d+)?(×| ns| µs|%|\/\d+)?( |$)/.test(c) || c === NONE;
}

/** An HTML table with its caption. */
export function tableHtml(t: Table): string {
  const head = t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const cell = (c: string, j: number): string =>
    `<td${j > 0 && numeric(c) ? ' class="num"' : ""}>${escapeHtml(c)}</td>`;
  const body = t.rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("\n");
  const caption = t.caption === undefined ? "" : `\n<caption>${escapeHtml(t.caption)}</caption>`;
  return `<table>${caption}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
