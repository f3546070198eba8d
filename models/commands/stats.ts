/** What the model-based suites generated and executed, counted for the run summary. */
export class Counter {
  readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  merge(o: Counter): void {
    for (const [k, v] of o.counts) this.add(k, v);
  }
  toString(): string {
    const num = (k: string): number => (/^[0-9]+\+?$/.test(k) ? parseInt(k, 10) : NaN);
    const order = (a: string, b: string): number => (Number.isNaN(num(a)) || Number.isNaN(num(b)) ? (a < b ? -1 : a > b ? 1 : 0) : num(a) - num(b));
    return [...this.counts].sort(([a], [b]) => order(a, b)).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  }
}

/** What one run (or, merged, a whole suite) generated and executed. */
export class EconomyStats {
  runs = 0;
  readonly totals = new Counter();
  readonly economies = new Counter();
  readonly epochsPerRun = new Counter();
  readonly commands = new Counter();
  readonly outcomes = new Counter();
  readonly refused = new Counter();
  readonly snapshots = new Counter();
  readonly validator = new Counter();
  readonly moves = new Counter();
  readonly events = new Counter();
  readonly takenKinds = new Counter();

  merge(o: EconomyStats): void {
    this.runs += o.runs;
    for (const k of ['totals', 'economies', 'epochsPerRun', 'commands', 'outcomes', 'refused', 'snapshots', 'validator', 'moves', 'events', 'takenKinds'] as const) this[k].merge(o[k]);
  }

  format(title: string): string {
    const t = (k: string): number => this.totals.get(k);
    return [
      `[qfs] ${title}: ${this.runs} runs, ${t('epochs')} epochs (${t('multi-epoch runs')} runs with ≥ 2 epochs), ${t('commands')} commands`,
      `  economies: ${this.economies}`,
      `  epochs per run: ${this.epochsPerRun}`,
      `  commands: ${this.commands}`,
      `  outcomes: ${this.outcomes}`,
      `  actions: submitted ${t('submitted')} (+ ${t('ignored (frozen)')} in frozen epochs), dropped ${t('dropped (no canonical form)')}, taken ${t('taken')} (${this.takenKinds}), refused ${t('refused')} (${this.refused})`,
      `  snapshots: ${t('snapshot copies')} copies, ${t('distinct snapshots')} distinct; EA-11 by reason: ${this.snapshots}`,
      `  validator: ${this.validator}`,
      `  moves by kind: ${this.moves}`,
      `  events: ${this.events}`,
    ].join('\n');
  }
}
