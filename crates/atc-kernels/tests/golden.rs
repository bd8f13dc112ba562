//! Golden-file tests against the reference fixtures in `../shared` (read at run time).
//!
//! * `golden/ma/*.json`: all 54 MAs (Medium, base 28) must match within 1e-9 relative.
//! * `golden/pipeline/*.json`: the full pipeline, "exact modulo ties" (atc-spec §11).
//!
//! The shared folder is `<repo>/../shared` (override with `ATC_SHARED_DIR`), located by
//! `build.rs`. When it is missing, the tests are compiled as `#[ignore]` and `cargo test`
//! reports them as ignored (like the TypeScript golden tier's "skipped"), never as passed.
#![allow(clippy::needless_range_loop)]

mod common;
use atc_kernels::*;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ------------------------------------------------------------------------------ tiny JSON

#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(key),
            _ => None,
        }
    }
    fn obj(&self) -> &BTreeMap<String, Json> {
        match self {
            Json::Obj(m) => m,
            other => panic!("expected object, got {other:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => panic!("expected array, got {other:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("expected string, got {other:?}"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(v) => *v,
            Json::Null => f64::NAN,
            other => panic!("expected number, got {other:?}"),
        }
    }
    fn nums(&self) -> Vec<f64> {
        self.arr().iter().map(Json::num).collect()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn parse(text: &'a str) -> Json {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing characters in JSON");
        v
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s[self.i] as char, c as char,
            "JSON: expected {} at {}",
            c as char, self.i
        );
        self.i += 1;
    }
    fn lit(&mut self, word: &str, v: Json) -> Json {
        assert!(
            self.s[self.i..].starts_with(word.as_bytes()),
            "JSON: bad literal at {}",
            self.i
        );
        self.i += word.len();
        v
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(m);
                }
                loop {
                    self.ws();
                    let k = self.string();
                    self.eat(b':');
                    let v = self.value();
                    m.insert(k, v);
                    self.ws();
                    let c = self.s[self.i];
                    self.i += 1;
                    match c {
                        b',' => continue,
                        b'}' => return Json::Obj(m),
                        _ => panic!("JSON: expected , or }} at {}", self.i - 1),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(a);
                }
                loop {
                    a.push(self.value());
                    self.ws();
                    let c = self.s[self.i];
                    self.i += 1;
                    match c {
                        b',' => continue,
                        b']' => return Json::Arr(a),
                        _ => panic!("JSON: expected , or ] at {}", self.i - 1),
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b'n' => self.lit("null", Json::Null),
            b't' => self.lit("true", Json::Bool(true)),
            b'f' => self.lit("false", Json::Bool(false)),
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                let tok = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                match tok {
                    // Python's json writes these for non-finite floats
                    _ if self.s[start..].starts_with(b"NaN") => {
                        self.i = start + 3;
                        Json::Num(f64::NAN)
                    }
                    _ => Json::Num(
                        tok.parse()
                            .unwrap_or_else(|_| panic!("JSON: bad number {tok:?}")),
                    ),
                }
            }
        }
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => {
                            let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                            self.i += 4;
                            out.push(
                                char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap_or('?'),
                            );
                        }
                        other => out.push(other as char),
                    }
                }
                _ => {
                    // copy a UTF-8 run verbatim
                    let start = self.i - 1;
                    while self.i < self.s.len() && self.s[self.i] != b'"' && self.s[self.i] != b'\\'
                    {
                        self.i += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap());
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------ files

/// The fixtures folder `build.rs` found (it sets this together with `cfg(has_shared_fixtures)`;
/// without the fixtures every test below is reported as ignored, not passed).
#[cfg(has_shared_fixtures)]
fn shared_dir() -> PathBuf {
    PathBuf::from(env!("ATC_SHARED_FIXTURES"))
}

#[cfg(not(has_shared_fixtures))]
fn shared_dir() -> PathBuf {
    panic!("no reference fixtures were found when this test was built (see build.rs)")
}

/// Column `col` of a CSV with a header row (plain comma-separated, no quoting needed here).
fn read_csv_column(path: &Path, col: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("empty CSV")
        .split(',')
        .map(str::trim)
        .collect();
    let idx = header
        .iter()
        .position(|h| *h == col)
        .unwrap_or_else(|| panic!("no column {col}"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cell = l.split(',').nth(idx).expect("short CSV row").trim();
            cell.parse::<f64>()
                .unwrap_or_else(|_| panic!("bad number {cell:?}"))
        })
        .collect()
}

fn read_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Parser::parse(&text)
}

fn kind_of(name: &str) -> MaKind {
    match name {
        "EMA" => MaKind::Ema,
        "HMA" => MaKind::Hma,
        "WMA" => MaKind::Wma,
        "DEMA" => MaKind::Dema,
        "LSMA" => MaKind::Lsma,
        "KAMA" => MaKind::Kama,
        other => panic!("unknown MA type {other}"),
    }
}

// ------------------------------------------------------------------------------ MA goldens

fn check_ma_golden(shared: &Path, dataset: &str) -> usize {
    let golden = read_json(&shared.join(format!("golden/ma/{dataset}.json")));
    let prices = read_csv_column(&shared.join(format!("data/{dataset}.csv")), "close");
    let series = golden.get("series").expect("series").obj();
    let mut out = vec![0.0; prices.len()];
    let mut checked = 0;
    let mut worst = 0.0f64;
    for (ty, by_len) in series {
        let kind = kind_of(ty);
        for (len, values) in by_len.obj() {
            let l: usize = len.parse().unwrap();
            let expected = values.nums();
            assert_eq!(expected.len(), prices.len(), "{dataset} {ty}{l}: length");
            moving_average(kind, &prices, l, &mut out).unwrap();
            for (i, (&a, &e)) in out.iter().zip(&expected).enumerate() {
                assert!(
                    close(a, e, 1e-9),
                    "{dataset} {ty}{l}[{i}]: got {a:?}, golden {e:?}"
                );
                if a.is_finite() && e != 0.0 {
                    worst = worst.max(((a - e) / e).abs());
                }
            }
            checked += 1;
        }
    }
    eprintln!(
        "{dataset}: {checked} MAs × {} bars match, worst relative error {worst:.3e}",
        prices.len()
    );
    checked
}

#[test]
#[cfg_attr(
    not(has_shared_fixtures),
    ignore = "reference fixtures not found: <repo>/../shared (or ATC_SHARED_DIR) with golden/ and data/"
)]
fn golden_mas_eth_btc_5m() {
    assert_eq!(check_ma_golden(&shared_dir(), "ETH_BTC-5m"), 54);
}

#[test]
#[cfg_attr(
    not(has_shared_fixtures),
    ignore = "reference fixtures not found: <repo>/../shared (or ATC_SHARED_DIR) with golden/ and data/"
)]
fn golden_mas_nvda() {
    let shared = shared_dir();
    if shared.join("golden/ma/nvda-1999-2014.json").exists() {
        assert_eq!(check_ma_golden(&shared, "nvda-1999-2014"), 54);
    } else {
        eprintln!("golden_mas_nvda: golden/ma/nvda-1999-2014.json is not in this fixtures folder");
    }
}

// ------------------------------------------------------------------------------ pipeline goldens

fn params_from(j: &Json) -> Params {
    let mut p = Params::default();
    for (k, v) in j.obj() {
        match k.as_str() {
            "ema_len" => p.lengths[0] = v.num() as usize,
            "hull_len" | "hma_len" => p.lengths[1] = v.num() as usize,
            "wma_len" => p.lengths[2] = v.num() as usize,
            "dema_len" => p.lengths[3] = v.num() as usize,
            "lsma_len" => p.lengths[4] = v.num() as usize,
            "kama_len" => p.lengths[5] = v.num() as usize,
            "ema_w" => p.weights[0] = v.num(),
            "hma_w" => p.weights[1] = v.num(),
            "wma_w" => p.weights[2] = v.num(),
            "dema_w" => p.weights[3] = v.num(),
            "lsma_w" => p.weights[4] = v.num(),
            "kama_w" => p.weights[5] = v.num(),
            "robustness" => {
                p.robustness = match v.str() {
                    "Narrow" => Robustness::Narrow,
                    "Wide" => Robustness::Wide,
                    _ => Robustness::Medium,
                }
            }
            "La" => p.la = v.num(),
            "De" => p.de = v.num(),
            "cutout" => p.cutout = v.num() as usize,
            "long_threshold" => p.long_threshold = v.num(),
            "short_threshold" => p.short_threshold = v.num(),
            "strategy_mode" => p.strategy_mode = matches!(v, Json::Bool(true)),
            other => panic!("unknown fixture param {other}"),
        }
    }
    p
}

const FAMILY: [&str; 6] = ["EMA", "HMA", "WMA", "DEMA", "LSMA", "KAMA"];

/// Runs every pipeline fixture. Per-MA signals that differ from the fixture must be tie events
/// (§11: |p − m| ≤ 1e-9·|p| at that bar or the previous one); a family with a tie event is
/// excused from that bar on (its L1/L2 and the Average). Everything else must match to 1e-9
/// relative, except L1 values within 1e-9 of a rounding boundary, which may differ by 0.01.
#[test]
#[cfg_attr(
    not(has_shared_fixtures),
    ignore = "reference fixtures not found: <repo>/../shared (or ATC_SHARED_DIR) with golden/ and data/"
)]
fn golden_pipelines_exact_modulo_ties() {
    let shared = shared_dir();
    let dir = shared.join("golden/pipeline");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut ws = Workspace::new();
    let mut total_tie_bars = 0usize;
    let mut total_fixtures = 0usize;
    for path in &files {
        let fx = read_json(path);
        let dataset = fx.get("dataset").unwrap().str().to_string();
        let col = fx
            .get("column")
            .map(|c| c.str().to_string())
            .unwrap_or_else(|| "close".into());
        let prices = read_csv_column(&shared.join(format!("data/{dataset}.csv")), &col);
        assert_eq!(
            prices.len(),
            fx.get("bars_in").unwrap().num() as usize,
            "{}",
            path.display()
        );
        let p = params_from(fx.get("params").unwrap());
        let lens = p.all_family_lengths().unwrap();
        let n = prices.len();
        let m = n - p.cutout;
        let mut all = AtcOutputs::new(m);
        all.compute(&prices, &p, &mut ws).unwrap();
        let AtcOutputs { out, mas, sigs, .. } = all;
        let pc = &prices[p.cutout..];
        let outputs = fx.get("outputs").unwrap();
        let ma_signals = fx.get("ma_signals").unwrap();

        // 1. per-MA signals: every difference must start at a tie
        let mut family_excused_from = [usize::MAX; 6];
        let mut tie_bars = 0;
        for f in 0..6 {
            let by_len = ma_signals.get(FAMILY[f]).unwrap();
            for k in 0..9 {
                let row = f * 9 + k;
                let l = lens[f][k];
                let exp: Vec<i8> = by_len
                    .get(&l.to_string())
                    .unwrap_or_else(|| panic!("{} no {}{}", path.display(), FAMILY[f], l))
                    .str()
                    .bytes()
                    .map(|b| match b {
                        b'+' => 1,
                        b'-' => -1,
                        _ => 0,
                    })
                    .collect();
                assert_eq!(exp.len(), m);
                let got = &sigs[row * m..(row + 1) * m];
                let ma = &mas[row * m..(row + 1) * m];
                let mut i = 0;
                while i < m {
                    if got[i] == exp[i] {
                        i += 1;
                        continue;
                    }
                    let tie_at = |t: usize| (pc[t] - ma[t]).abs() <= 1e-9 * pc[t].abs();
                    let is_tie = tie_at(i) || (i > 0 && tie_at(i - 1));
                    assert!(
                        is_tie,
                        "{}: {}{} signal differs at bar {i} without a tie (got {}, fixture {}, p={:?}, ma={:?})",
                        path.display(),
                        FAMILY[f],
                        l,
                        got[i],
                        exp[i],
                        pc[i],
                        ma[i]
                    );
                    family_excused_from[f] = family_excused_from[f].min(i);
                    while i < m && got[i] != exp[i] {
                        tie_bars += 1;
                        i += 1;
                    }
                }
            }
        }
        total_tie_bars += tie_bars;
        let avg_excused_from = family_excused_from.iter().copied().min().unwrap();

        // 2. outputs
        for f in 0..6 {
            let l1x = outputs
                .get(&format!("{}_Signal", FAMILY[f]))
                .unwrap()
                .nums();
            let e2x = outputs.get(&format!("{}_S", FAMILY[f])).unwrap().nums();
            let l1 = &out[f * m..(f + 1) * m];
            let e2 = &out[(6 + f) * m..(7 + f) * m];
            let until = family_excused_from[f].min(m);
            for i in 0..until {
                let ok = close(l1[i], l1x[i], 1e-9) || {
                    // rounding tie: the unrounded value sits on an x.xx5 boundary
                    let d = (l1[i] - l1x[i]).abs();
                    (d - 0.01).abs() < 1e-9
                };
                assert!(
                    ok,
                    "{}: {}_Signal[{i}] {} vs {}",
                    path.display(),
                    FAMILY[f],
                    l1[i],
                    l1x[i]
                );
            }
            // L2 equity depends on L1's sign only: a 0.01 rounding flip matters only through 0
            for i in 0..until {
                assert!(
                    close(e2[i], e2x[i], 1e-9),
                    "{}: {}_S[{i}] {} vs {}",
                    path.display(),
                    FAMILY[f],
                    e2[i],
                    e2x[i]
                );
            }
        }
        let avg = &out[12 * m..];
        let avgx = outputs.get("Average_Signal").unwrap().nums();
        for i in 0..avg_excused_from.min(m) {
            assert!(
                close(avg[i], avgx[i], 1e-9),
                "{}: Average[{i}] {} vs {}",
                path.display(),
                avg[i],
                avgx[i]
            );
        }
        total_fixtures += 1;
        let excused: Vec<String> = (0..6)
            .filter(|&f| family_excused_from[f] != usize::MAX)
            .map(|f| format!("{}@{}", FAMILY[f], family_excused_from[f]))
            .collect();
        eprintln!(
            "{:<40} {m:>5} bars: ok; tie-event bars {tie_bars}{}",
            path.file_name().unwrap().to_string_lossy(),
            if excused.is_empty() {
                String::new()
            } else {
                format!(" (excused from {})", excused.join(", "))
            }
        );
    }
    eprintln!("{total_fixtures} pipeline fixtures checked, {total_tie_bars} per-MA signal bars excused as ties");
}
