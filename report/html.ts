/**
 * `qfs report`: one self-contained HTML file (no network when opened: Chart.js and the data are
 * inlined, and the page's Content-Security-Policy forbids every fetch) from an evidence package,
 * `qfs check --json` campaigns and stored counterexamples.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Json } from '../src/math/canonical.ts';
import { campaignAttacks, campaignCharts, counterexampleChart, evidenceCharts, type ChartSpec } from './charts.ts';
import { parseFraction, percent, short, tokenUnits } from './format.ts';
import type { Campaign, Evidence, Obj, ReportInput, StoredCounterexample } from './load.ts';

export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE';

const arr = (x: Json | undefined): readonly Obj[] => (Array.isArray(x) ? (x as Obj[]) : []);
const obj = (x: Json | undefined): Obj => (x !== null && x !== undefined && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});
const str = (x: Json | undefined): string => (x === undefined ? '' : typeof x === 'string' ? x : JSON.stringify(x));

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text inside a <script> element: `</script` and `<!--` must not appear literally. */
const scriptText = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** Acceptance rows with the ninth criterion (the package verifies) appended, and the overall verdict. */
export function acceptanceOf(ev: Evidence): { rows: { id: string; criterion: string; status: string; figure: string }[]; verdict: Verdict } {
  const rows = arr(ev.manifest.acceptance).map((a) => ({ id: str(a.id), criterion: str(a.criterion), status: str(a.status), figure: str(a.figure) }));
  rows.push({
    id: 'evidence_verifies',
    // The report has no trust root of its own: it checks the package against the key the package
    // names, which proves consistency, not who signed it. It says so, and points to the two flows.
    criterion: 'evidence package consistent (checked against its own key: not a trust root)',
    status: ev.verified.ok ? 'pass' : 'fail',
    figure: ev.verified.ok
      ? `${ev.verified.summary}; not verified against a trust root here: run qfs verify DIR --key SIGNER.pub, or --reexecute`
      : `${ev.verified.code} ${ev.verified.field}: ${ev.verified.message}`,
  });
  return { rows, verdict: verdictOf(rows.map((r) => r.status)) };
}

export function verdictOf(statuses: readonly string[]): Verdict {
  if (statuses.some((s) => s !== 'pass' && s !== 'not_run')) return 'FAIL';
  if (statuses.some((s) => s === 'not_run') || statuses.length === 0) return 'INCOMPLETE';
  return 'PASS';
}

const statusCell = (s: string): string => `<td class="st ${esc(s)}">${s === 'pass' ? 'PASS' : s === 'fail' ? 'FAIL' : s === 'not_run' ? 'NOT RUN' : esc(s.toUpperCase())}</td>`;

function chartBlock(c: ChartSpec): string {
  return `<figure class="chart" id="fig-${esc(c.id)}"><figcaption><b>${esc(c.title)}</b><br><span class="note">${esc(c.note)}</span></figcaption><div class="canvas" style="height:${c.height ?? 300}px"><canvas id="chart-${esc(c.id)}" data-chart="${esc(c.id)}" role="img" aria-label="${esc(c.title)}"></canvas></div></figure>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`).join('')}</tbody></table>`;
}

const TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;

function evidenceSection(ev: Evidence, charts: ChartSpec[]): string {
  const m = ev.manifest;
  const p = obj(m.parameters);
  const rt = obj(m.runtimes);
  const signer = obj(m.signer);
  const { rows, verdict } = acceptanceOf(ev);
  const chart = (id: string) => chartBlock(charts.find((c) => c.id === id)!);
  const adv = arr(ev.adversaries.adversaries);
  const advRows = adv.map((a) => [
    esc(str(a.ea)),
    esc(a.expected_code === null ? '–' : str(a.expected_code)),
    esc(str(a.expected_response)),
    esc(str(a.runs)),
    esc(str(a.detections)),
    esc(`${str(a.incidents_actual)} / ${str(a.incidents_expected)}`),
    esc(str(a.paused_epochs)),
    ...TOKENS.map((t) => {
      const raw = str(obj(a.pause_shift)[t]);
      return `<td class="num" title="${esc(raw)}">${esc(percent(parseFraction(raw)))}</td>`;
    }),
  ]);
  const incidentRows: string[][] = [];
  for (const r of arr(ev.ledger.runs)) {
    for (const e of arr(r.epochs)) {
      const inc = arr(e.incidents);
      if (inc.length === 0 && str(e.outcome) === 'commit') continue;
      incidentRows.push([
        esc(str(r.run)),
        esc(str(e.epoch)),
        `<td class="outcome ${esc(str(e.outcome))}">${esc(str(e.outcome))}</td>`,
        esc(inc.map((i) => `${str(i.code)} ${i.ea === null ? '' : str(i.ea)} shard ${i.shard === null ? '–' : str(i.shard)}`).join('; ') || '–'),
        `<code>${esc(short(e.root))}</code>`,
      ]);
    }
  }
  const last = ev.harmonics.at(-1);
  const supplies = obj(last?.supplies);
  return `
<section id="evidence">
<h2>Evidence package <code>${esc(ev.dir)}</code></h2>
<div class="verdict ${verdict}">Verdict: ${verdict === 'PASS' ? 'PASS — every criterion of SPEC §11 passed and the package verifies' : verdict === 'FAIL' ? 'FAIL — a criterion failed or the package does not verify' : 'INCOMPLETE — a criterion was not run'}</div>
<dl class="facts">
<dt>genesis</dt><dd><code>${esc(str(m.genesis_hash))}</code></dd>
<dt>seed / runs / epochs</dt><dd>${esc(str(p.seed))} / ${esc(str(p.runs))} / ${esc(str(p.epochs))}</dd>
<dt>merkle root</dt><dd><code>${esc(str(m.merkle_root))}</code></dd>
<dt>signer</dt><dd>${esc(str(signer.label))}${signer.development === true ? ' <b class="warn">DEVELOPMENT key (anyone can sign with it)</b>' : ''}</dd>
<dt>runtimes (final root of the conformance scenario)</dt><dd>TypeScript <code>${esc(short(rt.typescript))}</code>, Python <code>${esc(rt.python === null ? 'not run' : short(rt.python))}</code>, Rust <code>${esc(rt.rust === null ? 'not run' : short(rt.rust))}</code></dd>
<dt>supplies after the last epoch</dt><dd>${TOKENS.map((t) => `${t.toUpperCase()} ${esc(tokenUnits(supplies[t]))}`).join(' · ')}</dd>
</dl>
<h3 id="acceptance">Acceptance (SPEC §11)</h3>
${table(['', 'criterion', 'measured'], rows.map((r) => [statusCell(r.status), `<b>${esc(r.id)}</b><br><span class="note">${esc(r.criterion)}</span>`, esc(r.figure)]), 'acceptance')}
<h3 id="economy">The main run</h3>
<div class="grid">${chart('supplies')}${chart('coherence')}${chart('treasury')}${chart('multipliers')}${chart('stake')}${chart('psisync')}</div>
<h3 id="attacks">Attacks (SPEC §8)</h3>
${table(['attack', 'expected code', 'expected response', 'runs', 'detected', 'incidents (raised / expected)', 'paused epochs', ...TOKENS.map((t) => `shift ${t.toUpperCase()}`)], advRows, 'attacks')}
<div class="grid">${chart('pause-shift')}${chart('attacks')}</div>
<h3 id="incidents">Incident timeline</h3>
${chart('incidents')}
<details><summary>Every epoch that raised an incident or did not commit (${incidentRows.length})</summary>
${table(['run', 'epoch', 'outcome', 'incidents (code, attack, shard)', 'root'], incidentRows)}
</details>
</section>`;
}

function campaignSection(c: Campaign, charts: ChartSpec[]): string {
  const props = arr(c.doc.properties);
  const timings = new Map(arr(c.doc.timings).map((t) => [str(t.property), str(t.seconds)]));
  const verdict: Verdict = c.doc.passed === true ? (props.some((p) => p.interrupted === true) ? 'INCOMPLETE' : 'PASS') : 'FAIL';
  const rows = props.map((p) => {
    const f = p.failure === null || p.failure === undefined ? null : obj(p.failure);
    return [
      statusCell(p.passed === true ? 'pass' : 'fail'),
      esc(str(p.property)),
      esc(`${str(p.runs)} of ${str(p.runs_requested)}${p.interrupted === true ? ' (time limit)' : ''}`),
      esc(timings.get(str(p.property)) ?? '–'),
      f === null ? '–' : `${esc(str(f.invariant))} at epoch ${esc(str(f.epoch))}: ${esc(str(f.message))}<br><code>${esc(str(f.replay))}</code>`,
    ];
  });
  const attackRows = campaignAttacks(c).map((a) => [
    esc(a.ea),
    ...(['generated', 'applied', 'detected', 'paused_epochs', 'pause_shift_measured'] as const).map((k) => `<td class="num">${a.counts[k]}</td>`),
    ...TOKENS.map((t) => {
      const f = a.shift[t]!;
      return f === 'not measured' ? '<td class="num">–</td>' : `<td class="num" title="${esc(f === null ? 'n/a' : `${f[0]}/${f[1]}`)}">${esc(percent(f))}</td>`;
    }),
    esc(a.expected_response),
  ]);
  return `
<section class="campaign">
<h2>Campaign <code>${esc(c.file)}</code></h2>
<div class="verdict ${verdict}">Verdict: ${verdict} — ${props.filter((p) => p.passed === true).length} of ${props.length} properties passed (seed ${esc(str(c.doc.seed))}, slice ${esc(str(c.doc.shard))})</div>
${table(['', 'property', 'runs', 'seconds', 'failure and replay'], rows)}
${table(['attack', 'generated', 'applied', 'detected', 'paused epochs', 'shifts measured', ...TOKENS.map((t) => `max shift ${t.toUpperCase()}`), 'expected response'], attackRows, 'attacks')}
<p class="note">Summed over the properties (each property's runs may carry other attacks too); a shift is “–” where none was measured.</p>
${charts.map(chartBlock).join('')}
</section>`;
}

const pretty = (x: Json): string => JSON.stringify(x, null, 2);

/** One line per epoch command: what was loaded, who attacked how, the root reached. */
function traceRows(s: StoredCounterexample): string[][] {
  const c = s.c;
  const cmds = c.commands as readonly Obj[];
  const failEpoch = Number(c.failure.epoch);
  const setup = cmds[0] ?? {};
  const status = (e: number) => (e < failEpoch ? '<td class="st pass">ok</td>' : e === failEpoch ? `<td class="st fail">FAILS ${esc(c.invariant)}</td>` : '<td>not run</td>');
  if (Array.isArray(setup.loads)) {
    const tamper = cmds[1] ?? {};
    return (setup.loads as Json[]).map((load, i) => [
      String(i + 1),
      `load ${esc(str(load))}${str(tamper.epoch) === String(i + 1) ? `; <b>then ${esc(str(tamper.target))} of this epoch altered</b> (byte ${esc(str(tamper.offset))} xor ${esc(str(tamper.xor))})` : ''}`,
      `<code>${esc(short(c.roots[i] ?? '–'))}</code>`,
      status(i + 1),
    ]);
  }
  return cmds
    .filter((x) => x.kind === 'epoch')
    .map((e, i) => {
      const attacks = arr(e.attacks)
        .map((a) => {
          const params = Object.entries(a)
            .filter(([k]) => k !== 'ea' && k !== 'shard')
            .map(([k, v]) => `${k} ${str(v)}`)
            .join(', ');
          return `<b>${esc(str(a.ea))}</b> by shard ${esc(str(a.shard))}${params === '' ? '' : ` (${esc(params)})`}`;
        })
        .join('; ');
      const exit = e.exit === true ? `; exit_safe_mode signed by founders ${esc(arr(e.exit_founders as Json).length > 0 ? str(e.exit_founders) : '0, 1')}` : '';
      return [String(i + 1), `load ${esc(str(e.load))}${attacks === '' ? '; honest' : `; ${attacks}`}${exit}`, `<code>${esc(short(c.roots[i] ?? '–'))}</code>`, status(i + 1)];
    });
}

function counterexampleSection(s: StoredCounterexample, chart: ChartSpec): string {
  const c = s.c;
  const setup = (c.commands as readonly Obj[])[0] ?? {};
  const expected = c.failure.expected;
  const actual = c.failure.actual;
  // Top-level fields that differ, so the eye goes to them first.
  const differing =
    expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)
      ? [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter((k) => JSON.stringify((expected as Obj)[k]) !== JSON.stringify((actual as Obj)[k]))
      : [];
  return `
<section class="counterexample">
<h3>${esc(c.property)} — ${esc(c.invariant)} <code>${esc(s.file)}</code></h3>
<p>${esc(c.failure.message)}</p>
<p class="note">seed ${esc(String(c.seed))}${c.path === '' ? '' : `, path ${esc(c.path)}`}; chain of ${esc(str(setup.shards))} shards${Array.isArray(setup.byzantine) ? `, Byzantine ${esc((setup.byzantine as Json[]).map(str).join(', ') || 'none')}` : ''}${setup.mutant !== undefined && setup.mutant !== null ? `, planted bug <b>${esc(str(setup.mutant))}</b>` : ''}; replay: <code>npx qfs replay ${esc(s.file)}</code></p>
${table(['epoch', 'what happened', 'root', 'check'], traceRows(s), 'trace')}
${differing.length > 0 ? `<p>Fields that differ: ${differing.map((k) => `<code>${esc(k)}</code>`).join(', ')}</p>` : ''}
<div class="expected-actual"><div><b>expected</b><pre>${esc(pretty(expected))}</pre></div><div><b>actual</b><pre>${esc(pretty(actual))}</pre></div></div>
${chartBlock(chart)}
</section>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#14213d;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
nav{padding:6px 24px;background:#e9edf5;font-size:13px}nav a{margin-right:14px}
main{padding:8px 24px 40px;max-width:1500px}
h2{border-bottom:2px solid #14213d;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}
th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef1f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.st{font-weight:700;white-space:nowrap}td.st.pass{color:#137333}td.st.fail{color:#b3261e}td.st.not_run{color:#8a6d00}
td.outcome.abort{color:#b3261e}td.outcome.frozen{color:#1a56a8}
.verdict{font-size:17px;font-weight:700;padding:8px 12px;margin:10px 0;border-radius:4px}
.verdict.PASS{background:#e6f4ea;color:#137333}.verdict.FAIL{background:#fce8e6;color:#b3261e}.verdict.INCOMPLETE{background:#fef7e0;color:#8a6d00}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.note{color:#555;font-size:12px}.warn{color:#b3261e}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
figure.chart{margin:8px 0;background:#fff;border:1px solid #d5d9e0;padding:8px 10px}figure.chart .canvas{position:relative}
.expected-actual{display:grid;grid-template-columns:1fr 1fr;gap:12px}pre{background:#fff;border:1px solid #d5d9e0;padding:6px;overflow:auto;max-height:320px;font-size:12px}
code{font-size:12px}
`;

function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  // The UMD build defines the global `Chart`; it is inlined so the report needs no network.
  const dist = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return readFileSync(dist, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
}

export type BuiltReport = { readonly html: string; readonly charts: readonly ChartSpec[]; readonly verdict: Verdict };

export function renderReport(input: ReportInput, title = 'QFS V13 Phase 3 report'): BuiltReport {
  const evCharts = input.evidence === null ? [] : evidenceCharts(input.evidence);
  const campCharts = input.campaigns.map((c, i) => campaignCharts(c, i));
  const cxCharts = input.counterexamples.map((s, i) => counterexampleChart(s, i));
  const charts = [...evCharts, ...campCharts.flat(), ...cxCharts];
  const verdicts: Verdict[] = [
    ...(input.evidence === null ? [] : [acceptanceOf(input.evidence).verdict]),
    ...input.campaigns.map((c): Verdict => (c.doc.passed === true ? 'PASS' : 'FAIL')),
  ];
  const verdict: Verdict = verdicts.includes('FAIL') ? 'FAIL' : verdicts.includes('INCOMPLETE') || verdicts.length === 0 ? 'INCOMPLETE' : 'PASS';
  const sources = [
    ...(input.evidence === null ? [] : [`evidence ${input.evidence.dir}`]),
    ...input.campaigns.map((c) => `campaign ${c.file}`),
    ...(input.counterexamples.length === 0 ? [] : [`${input.counterexamples.length} counterexample(s)`]),
  ];
  const body = [
    input.evidence === null ? '' : evidenceSection(input.evidence, evCharts),
    ...input.campaigns.map((c, i) => campaignSection(c, campCharts[i]!)),
    input.counterexamples.length === 0
      ? ''
      : `<section id="counterexamples"><h2>Counterexamples (SPEC §12)</h2>${input.counterexamples.map((s, i) => counterexampleSection(s, cxCharts[i]!)).join('')}</section>`,
  ].join('\n');
  const nav = [
    ...(input.evidence === null ? [] : ['<a href="#acceptance">acceptance</a>', '<a href="#economy">main run</a>', '<a href="#attacks">attacks</a>', '<a href="#incidents">incidents</a>']),
    ...(input.campaigns.length === 0 ? [] : ['<a href="#campaigns">campaigns</a>']),
    ...(input.counterexamples.length === 0 ? [] : ['<a href="#counterexamples">counterexamples</a>']),
  ].join('');
  const model = { charts };
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body data-verdict="${verdict}">
<header><h1>${esc(title)} — ${verdict}</h1><p>${esc(sources.join(' · '))}. Amounts in token units (18 decimals), shifts in percent; hover a cell or a point for the exact figure.</p></header>
<nav>${nav}</nav>
<main>
${body.replace('<section class="campaign">', '<section class="campaign" id="campaigns">')}
</main>
<script id="qfs-model" type="application/json">${scriptText(JSON.stringify(model))}</script>
<script>${scriptText(chartJsSource())}</script>
<script>${scriptText(readFileSync(new URL('./client.js', import.meta.url), 'utf8'))}</script>
</body>
</html>
`;
  return { html, charts, verdict };
}

/** Used by tests and the CLI summary: number of points a spec holds per series (non-null values). */
export const specPoints = (c: ChartSpec): number[] => c.series.map((s) => (s.data as readonly unknown[]).filter((d) => d !== null).length);
