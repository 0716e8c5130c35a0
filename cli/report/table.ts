/** A table once, rendered three ways: aligned terminal text, Markdown and HTML. */

/** Rows of cells; in text and Markdown the first column is left-aligned, the others right-aligned; HTML right-aligns numbers only. */
export interface Table {
  readonly caption: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Aligned plain text under its caption. */
export function tableText(t: Table): string {
  const all = [t.headers, ...t.rows];
  const widths = t.headers.map((_, j) => Math.max(...all.map((r) => (r[j] ?? "").length)));
  const line = (r: readonly string[]): string =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ").trimEnd();
  return [t.caption, line(t.headers), widths.map((w) => "-".repeat(w)).join("  "), ...t.rows.map(line)].join("\n");
}

/** A Markdown table under a bold caption (pipes in cells escaped). */
export function tableMarkdown(t: Table): string {
  const cell = (c: string): string => c.replace(/\|/g, "\\|");
  return [
    `**${t.caption}**`,
    "",
    `| ${t.headers.map(cell).join(" | ")} |`,
    `|${t.headers.map((_, j) => (j === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** Text escaped for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An HTML table with its caption. */
export function tableHtml(t: Table): string {
  const head = t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const numeric = (c: string): boolean => /^[−+-]?[\d.]+(e[−+-]?\d+)?(×| ns| µs|%|\/\d+)?( |$)/.test(c) || c === "—";
  const body = t.rows.map((r) => `<tr>${r.map((c, j) => `<td${j > 0 && numeric(c) ? ' class="num"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table>\n<caption>${escapeHtml(t.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
