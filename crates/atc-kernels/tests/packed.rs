//! `Params::from_packed` against the vector shared with core's `packConfig` test.
use atc_kernels::{KernelError, Params, Robustness, Semantics, PACKED_LEN};

/// The `"packed"` array of tests/data/packed_config.json (no JSON parser: the crate has no
/// dependencies; the numbers are read with a plain split).
fn shared_vector() -> Vec<f64> {
    let text = include_str!("data/packed_config.json");
    let start = text.find("\"packed\": [").expect("packed key") + "\"packed\": [".len();
    let end = start + text[start..].find(']').expect("closing bracket");
    text[start..end]
        .split(',')
        .map(|s| s.trim().parse().expect("number"))
        .collect()
}

#[test]
fn decodes_the_shared_vector() {
    let packed = shared_vector();
    assert_eq!(packed.len(), PACKED_LEN);
    let p = Params::from_packed(&packed).unwrap();
    assert_eq!(
        p,
        Params {
            lengths: [10, 12, 14, 16, 18, 20],
            weights: [1.0, 1.5, 2.0, 2.5, 3.0, 0.5],
            robustness: Robustness::Wide,
            la: 0.05,
            de: 0.1,
            cutout: 7,
            long_threshold: 0.2,
            short_threshold: -0.3,
            strategy_mode: true,
            semantics: Semantics::Pine,
        }
    );
}

#[test]
fn rejects_each_bad_slot_by_name() {
    let good = shared_vector();
    let cases: [(usize, f64, &str); 8] = [
        (0, 0.0, "emaLength"),
        (5, 2.5, "kamaLength"),
        (7, 0.0, "hmaWeight"),
        (11, f64::NAN, "kamaWeight"),
        (12, 3.0, "robustness"),
        (15, -1.0, "cutout"),
        (18, 0.5, "strategyMode"),
        (19, 2.0, "semantics"),
    ];
    for (slot, value, name) in cases {
        let mut packed = good.clone();
        packed[slot] = value;
        match Params::from_packed(&packed) {
            Err(KernelError::InvalidParameter { what, .. }) => {
                assert_eq!(what, name, "slot {slot}")
            }
            other => {
                panic!("slot {slot} = {value}: expected InvalidParameter({name}), got {other:?}")
            }
        }
    }
    assert!(matches!(
        Params::from_packed(&good[..19]),
        Err(KernelError::LengthMismatch {
            expected: PACKED_LEN,
            actual: 19,
            ..
        })
    ));
}
