/**
 * The browser side of the report tests: the system Chromium (Debian's package) driven by
 * playwright-core, and the point counts each chart should hold, computed from the input files
 * themselves (not from the report), so a chart that lost a point is caught.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: $QFS_CHROMIUM, else Debian's. Null when there is none (or QFS_CHROMIUM=none). */
export function chromiumPath(): string | null {
  if (process.env.QFS_CHROMIUM === 'none') return null;
  const candidates = [process.env.QFS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined && p !== '');
  return candidates.find((p) => existsSync(p)) ?? null;
}

export async function launch(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

export type PageResult = {
  readonly problems: string[];
  readonly charts: { id: string; points: number[]; inked: number; width: number; height: number }[];
  readonly verdict: string | null;
};

/** Opens `file` and returns what the page did: console errors, requests that left the file, and each chart's rendered points and inked pixels. */
export async function openReport(browser: Browser, file: string, screenshot?: string): Promise<PageResult> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(`file://${file}`);
  // Page-side code is passed as text: the project compiles without the DOM library.
  await page.waitForFunction('window.qfsReport !== undefined && window.qfsReport.done === true', null, { timeout: 30_000 });
  const charts = (await page.evaluate(`[...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
    const img = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    // Pixels that are neither transparent nor white: axes, grid and data.
    for (let i = 0; i < img.length; i += 4) if (img[i + 3] > 0 && (img[i] < 235 || img[i + 1] < 235 || img[i + 2] < 235)) inked++;
    return { id: canvas.dataset.chart, points: JSON.parse(canvas.dataset.seriesPoints || '[]'), inked, width: canvas.width, height: canvas.height };
  })`)) as PageResult['charts'];
  const verdict = (await page.evaluate('document.body.dataset.verdict || null')) as string | null;
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { problems, charts, verdict };
}

type O = Record<string, unknown>;
const read = (dir: string, name: string): O => JSON.parse(readFileSync(join(dir, name), 'utf8')) as O;
const lines = (dir: string, name: string): O[] =>
  readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as O);
const list = (x: unknown): O[] => (Array.isArray(x) ? (x as O[]) : []);
const positive = (x: unknown): boolean => typeof x === 'string' && BigInt(x) > 0n;
const TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'];

/** The points per series each chart of an evidence package must show, from the package's files. */
export function expectedEvidencePoints(dir: string): Record<string, number[]> {
  const harmonics = lines(dir, 'phase3_harmonics.jsonl');
  const psi = list(read(dir, 'phase3_psi_dynamics.json').epochs);
  const treasury = lines(dir, 'phase3_treasury.jsonl');
  const rewards = list(read(dir, 'phase3_holofield_rewards.json').epochs);
  const psisync = list(read(dir, 'phase3_psisync.json').epochs);
  const runs = list(read(dir, 'phase3_ledger_consistency.json').runs);
  const adv = list(read(dir, 'phase3_adversary_results.json').adversaries);
  const shards = list(psi[0]?.c_shards).map((s) => s.shard);
  const ms = [...new Set(rewards.flatMap((e) => list(e.multipliers).map((m) => Number(m.m))))].sort((a, b) => a - b);
  const epochs = runs.flatMap((r) => list(r.epochs));
  const incidents = epochs.flatMap((e) => list(e.incidents));
  const codes = [...new Set(incidents.map((i) => String(i.code)))].sort();
  return {
    supplies: TOKENS.map((t) => harmonics.filter((h) => positive((h.supplies as O)[t])).length),
    coherence: [psi.filter((e) => positive(e.c)).length, ...shards.map((s) => psi.filter((e) => positive(list(e.c_shards).find((c) => c.shard === s)?.c)).length)],
    treasury: [treasury.length, treasury.length, treasury.length],
    multipliers: ms.map((m) => rewards.filter((e) => list(e.multipliers).some((x) => Number(x.m) === m)).length),
    stake: [psi.reduce((s, e) => s + list(e.stake).length, 0), psi.length],
    psisync: [psisync.length, psisync.length],
    incidents: [...codes.map((c) => incidents.filter((i) => String(i.code) === c).length), epochs.filter((e) => e.outcome === 'abort').length, epochs.filter((e) => e.outcome === 'frozen').length],
    'pause-shift': TOKENS.map((t) => adv.filter((a) => (a.pause_shift as O)[t] !== 'n/a').length),
    attacks: [adv.length, adv.length, adv.length, adv.length, adv.length],
  };
}

/** The points of a campaign's chart (index i) and of each counterexample chart. */
export function expectedCampaignPoints(file: string, i: number): Record<string, number[]> {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as O;
  const eas = new Set(list(doc.properties).flatMap((p) => list((p.generated as O).attacks).map((a) => a.ea)));
  return { [`campaign-${i}`]: [eas.size, eas.size, eas.size, eas.size] };
}

export function expectedCounterexamplePoints(file: string, i: number): Record<string, number[]> {
  const c = JSON.parse(readFileSync(file, 'utf8')) as O;
  const cmds = list(c.commands);
  if (Array.isArray(cmds[0]?.loads)) return { [`cx-${i}`]: [(cmds[0]!.loads as unknown[]).length, 1, 1] };
  const attacks = cmds.filter((x) => x.kind === 'epoch').flatMap((e) => list(e.attacks));
  const eas = [...new Set(attacks.map((a) => String(a.ea)))];
  return { [`cx-${i}`]: [...eas.map((ea) => attacks.filter((a) => String(a.ea) === ea).length), 1] };
}

/** Every difference between what the page rendered and what the files hold (empty: all charts complete). */
export function mismatches(page: PageResult, expected: Record<string, number[]>): string[] {
  const out: string[] = [];
  const seen = new Map(page.charts.map((c) => [c.id, c]));
  for (const [id, points] of Object.entries(expected)) {
    const c = seen.get(id);
    if (c === undefined) out.push(`${id}: no chart`);
    else if (JSON.stringify(c.points) !== JSON.stringify(points)) out.push(`${id}: rendered ${JSON.stringify(c.points)} points per series, the files hold ${JSON.stringify(points)}`);
    else if (points.reduce((s, p) => s + p, 0) === 0) out.push(`${id}: no data points at all`);
  }
  for (const c of page.charts) {
    if (!(c.id in expected)) out.push(`${c.id}: a chart the test does not know`);
    if (c.width === 0 || c.height === 0 || c.inked < 2000) out.push(`${c.id}: canvas ${c.width}×${c.height} with ${c.inked} inked pixels`);
  }
  return out;
}
