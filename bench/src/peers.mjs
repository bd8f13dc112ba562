// The same moving averages from JS peer libraries, each called through its own public API,
// with outputs kept (so nothing is optimised away). Conventions differ (EMA seeding, DEMA and
// KAMA warm-up, where linreg is evaluated); timings compare the work, not the definitions.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function tryRequire(name) {
  try {
    return require(name);
  } catch (error) {
    return { __missing: `${name}: ${error.message.split('\n')[0]}` };
  }
}

/**
 * `{ library: { input, mas: { ma: (values, length) => unknown } } }` for whichever peers load.
 * `input` is the form the library takes: 'array' (a plain number[]) or 'typed' (Float64Array
 * works as is). The conversion happens once, outside the timed region.
 */
export function loadPeers() {
  const peers = {};
  const ti = tryRequire('technicalindicators');
  if (!ti.__missing) {
    peers.technicalindicators = {
      input: 'array',
      mas: { ema: (v, p) => ti.EMA.calculate({ period: p, values: v }), wma: (v, p) => ti.WMA.calculate({ period: p, values: v }) },
    };
  }
  const ts = tryRequire('trading-signals');
  if (!ts.__missing) {
    const stream = (Ctor) => (v, p) => {
      const ind = new Ctor(p);
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = ind.update(v[i]) ?? NaN;
      return out;
    };
    peers['trading-signals'] = { input: 'typed', mas: { ema: stream(ts.EMA), wma: stream(ts.WMA), dema: stream(ts.DEMA), hma: stream(ts.HMA), kama: stream(ts.KAMA) } };
  }
  const tl = tryRequire('tulind');
  if (!tl.__missing) {
    const tul = (name) => (v, p) => {
      let out;
      tl.indicators[name].indicator([v], [p], (err, res) => {
        if (err) throw new Error(err);
        out = res[0];
      });
      return out;
    };
    peers.tulind = { input: 'array', mas: { ema: tul('ema'), wma: tul('wma'), hma: tul('hma'), dema: tul('dema'), lsma: tul('linreg'), kama: tul('kama') } };
  }
  const ix = tryRequire('@ixjb94/indicators');
  if (!ix.__missing) {
    const I = new ix.IndicatorsSync();
    peers['@ixjb94/indicators'] = {
      input: 'array',
      mas: {
        ema: (v, p) => I.ema(v, p),
        wma: (v, p) => I.wma(v, p),
        hma: (v, p) => I.hma(v, p),
        dema: (v, p) => I.dema(v, p),
        lsma: (v, p) => I.linreg(v, p),
        kama: (v, p) => I.kama(v, p),
      },
    };
  }
  return peers;
}
