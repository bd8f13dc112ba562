// How `sweep` prints its report: table (default), json, csv.
import type { ConfigObject } from './payload.js';
import type { SweepReport } from './sweep.js';

export const SWEEP_FORMATS = ['table', 'json', 'csv'] as const;
export type SweepFormat = (typeof SWEEP_FORMATS)[number];

function paramText(params: ConfigObject): string {
  return Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), h.length));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * The report as `format`: json (the whole {@link SweepReport}), csv (one row per overall
 * config and per symbol's best, columns `scope,symbol,rank,config,<grid keys…>,return,drawdown,trades`),
 * or tables for a terminal.
 */
export function formatSweep(report: SweepReport, format: SweepFormat): string {
  if (format === 'json') return JSON.stringify(report);
  const keys = Object.keys(report.grid[0] ?? {});
  if (format === 'csv') {
    const header = ['scope', 'symbol', 'rank', 'config', ...keys, 'return', 'drawdown', 'trades'];
    const values = (p: ConfigObject) => keys.map((k) => csvCell(String(p[k])));
    return [
      header.join(','),
      ...report.overall.map((r, i) => ['overall', '', String(i + 1), String(r.config), ...values(r.params), String(r.meanReturn), String(r.meanDrawdown), String(r.trades)].join(',')),
      ...report.perSymbol.map((r) => ['symbol', csvCell(r.symbol), '1', String(r.config), ...values(r.params), String(r.totalReturn), String(r.maxDrawdown), String(r.trades)].join(',')),
    ].join('\n');
  }
  const overall = table(
    ['rank', 'config', 'params', 'symbols', 'mean return', 'mean drawdown', 'trades'],
    report.overall.map((r, i) => [String(i + 1), String(r.config), paramText(r.params), String(r.symbols), pct(r.meanReturn), pct(r.meanDrawdown), String(r.trades)]),
  );
  const perSymbol = table(
    ['symbol', 'config', 'params', 'return', 'drawdown', 'trades'],
    report.perSymbol.map((r) => [r.symbol, String(r.config), paramText(r.params), pct(r.totalReturn), pct(r.maxDrawdown), String(r.trades)]),
  );
  return [
    `swept ${report.grid.length} config${report.grid.length === 1 ? '' : 's'} × ${report.perSymbol.length} series, ${report.errors.length} failed`,
    '',
    `BEST CONFIGS (mean over series):\n${report.overall.length ? overall : 'none'}`,
    '',
    `BEST CONFIG PER SYMBOL:\n${report.perSymbol.length ? perSymbol : 'none'}`,
  ].join('\n');
}
