/**
 * The acceptance table of `qfs run` for a terminal: status, id and the measured figure wrapped to
 * the terminal's width under its own column (no 358-character lines), and one verdict line.
 */

export type AcceptanceLine = { readonly status: 'pass' | 'fail' | 'not_run'; readonly id: string; readonly figure: string };

const LABEL = { pass: 'PASS   ', fail: 'FAIL   ', not_run: 'NOT RUN' } as const;

/** The width to fit: the terminal's, else $COLUMNS, else 100 (a pipe or a CI log). */
export function terminalWidth(stream: { columns?: number; isTTY?: boolean } = process.stdout): number {
  const env = Number(process.env.COLUMNS);
  const w = stream.isTTY && stream.columns ? stream.columns : Number.isInteger(env) && env > 0 ? env : 100;
  return Math.max(40, w);
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** The table's lines, none longer than `width` (unless a single word is). */
export function acceptanceTable(rows: readonly AcceptanceLine[], width: number): string[] {
  const idWidth = Math.max(...rows.map((r) => r.id.length));
  const indent = 2 + 7 + 1 + idWidth + 2;
  // On a narrow terminal the figure goes under the id, indented, instead of beside it.
  const beside = width - indent >= 30;
  const out: string[] = [];
  for (const r of rows) {
    const head = `  ${LABEL[r.status]} ${r.id.padEnd(idWidth)}`;
    if (beside) {
      const figure = wrap(r.figure, width - indent);
      out.push(`${head}  ${figure[0]}`);
      for (const l of figure.slice(1)) out.push(`${' '.repeat(indent)}${l}`);
    } else {
      out.push(head.trimEnd());
      for (const l of wrap(r.figure, width - 6)) out.push(`      ${l}`);
    }
  }
  return out;
}

/** One line: PASS when every row passed, INCOMPLETE when some were not run (and none failed), FAIL otherwise. */
export function verdictLine(rows: readonly AcceptanceLine[]): string {
  const failed = rows.filter((r) => r.status === 'fail').map((r) => r.id);
  const notRun = rows.filter((r) => r.status === 'not_run').map((r) => r.id);
  if (failed.length > 0) return `verdict: FAIL (${failed.length} of ${rows.length} criteria failed: ${failed.join(', ')}${notRun.length > 0 ? `; not run: ${notRun.join(', ')}` : ''})`;
  if (notRun.length > 0) return `verdict: INCOMPLETE (${rows.length - notRun.length} of ${rows.length} criteria passed; not run: ${notRun.join(', ')})`;
  return `verdict: PASS (all ${rows.length} criteria passed)`;
}
