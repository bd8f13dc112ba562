//! The soundness guard for writing into caller-provided arrays: no output may share a byte
//! with any other argument (input or output). Every export runs [`check_exclusive`] before it
//! turns an output into a `&mut` slice, because a `&mut` aliasing another slice is undefined
//! behaviour (and the kernels are not in-place safe). Inputs may share memory with each other.

use crate::args::{Failure, Label, Outcome};

/// The bytes one typed-array argument covers.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    name: Label,
    start: usize,
    end: usize,
    output: bool,
}

impl Region {
    /// An argument the export only reads.
    pub fn input<T>(name: impl Into<Label>, data: &[T]) -> Region {
        Region::new(name.into(), data, false)
    }

    /// An argument the export writes.
    pub fn output<T>(name: impl Into<Label>, data: &[T]) -> Region {
        Region::new(name.into(), data, true)
    }

    fn new<T>(name: Label, data: &[T], output: bool) -> Region {
        let start = data.as_ptr() as usize;
        Region {
            name,
            start,
            end: start + core::mem::size_of_val(data),
            output,
        }
    }

    fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Fails with a `RangeError` naming the first output found sharing memory with another
/// region. O(k log k): sort by start, then sweep remembering the furthest end reached so far by
/// any region and by an output; a region starting before such an end overlaps the region that
/// reached it. Sorts `regions` in place (no allocation).
pub fn check_exclusive(regions: &mut [Region]) -> Outcome {
    regions.sort_unstable_by_key(|r| r.start);
    let mut furthest_any: Option<&Region> = None;
    let mut furthest_output: Option<&Region> = None;
    for r in regions.iter().filter(|r| !r.is_empty()) {
        let reached = if r.output {
            furthest_any
        } else {
            furthest_output
        };
        if let Some(other) = reached.filter(|o| o.end > r.start) {
            let (out, with) = if r.output { (r, other) } else { (other, r) };
            return Err(Failure::Range(format!(
                "{} must not share memory with {}",
                out.name, with.name
            )));
        }
        if furthest_any.is_none_or(|f| r.end > f.end) {
            furthest_any = Some(r);
        }
        if r.output && furthest_output.is_none_or(|f| r.end > f.end) {
            furthest_output = Some(r);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` f64 elements starting `off` bytes into a 512-byte buffer at `base`.
    fn region(
        name: &'static str,
        i: u32,
        base: usize,
        off: usize,
        len: usize,
        out: bool,
    ) -> Region {
        Region {
            name: Label::at(name, i),
            start: base + off,
            end: base + off + 8 * len,
            output: out,
        }
    }

    /// The definition: some output overlaps some other region.
    fn overlaps_pairwise(regions: &[Region]) -> bool {
        regions.iter().enumerate().any(|(i, o)| {
            o.output
                && !o.is_empty()
                && regions
                    .iter()
                    .enumerate()
                    .any(|(j, a)| i != j && !a.is_empty() && a.start < o.end && o.start < a.end)
        })
    }

    fn message(mut regions: Vec<Region>) -> Option<String> {
        match check_exclusive(&mut regions) {
            Ok(()) => None,
            Err(Failure::Range(m)) => Some(m),
            Err(other) => panic!("not a RangeError: {other:?}"),
        }
    }

    #[test]
    fn named_conflicts() {
        let b = 4096;
        let out = |i, off, len| region("outs", i, b, off, len, true);
        let inp = |i, off, len| region("series", i, b, off, len, false);
        // disjoint outputs; inputs sharing memory with each other are fine
        assert_eq!(
            message(vec![
                out(0, 0, 4),
                out(1, 32, 4),
                inp(0, 64, 8),
                inp(1, 64, 8)
            ]),
            None
        );
        // an output inside an input (input starts first)
        let m = message(vec![out(0, 72, 2), inp(0, 64, 8)]).unwrap();
        assert_eq!(m, "outs[0] must not share memory with series[0]");
        // an input starting inside an output
        assert!(message(vec![out(0, 56, 4), inp(0, 64, 8)]).is_some());
        // the same output twice
        assert!(message(vec![out(0, 0, 4), out(1, 0, 4)]).is_some());
        // a long early input covering a later output
        assert!(message(vec![inp(0, 0, 60), out(0, 400, 2)]).is_some());
        // touching ranges and empty arrays do not overlap
        assert_eq!(
            message(vec![
                out(0, 0, 4),
                out(1, 32, 0),
                out(2, 32, 1),
                inp(0, 40, 1)
            ]),
            None
        );
        // one byte of an Int8Array inside a Float64Array
        let c = Region {
            name: Label::plain("c"),
            start: b + 31,
            end: b + 32,
            output: true,
        };
        assert!(message(vec![inp(0, 0, 4), c]).is_some());
        assert_eq!(Label::at("series", 3).to_string(), "series[3]");
    }

    #[test]
    fn sweep_matches_pairwise_on_every_small_layout() {
        let b = 4096;
        for a in 0..6 {
            for c in 0..6 {
                for d in 0..6 {
                    for outs in 0..4u8 {
                        let regions = vec![
                            region("x", 0, b, 8 * a, 2, outs & 1 != 0),
                            region("x", 1, b, 8 * c, 1, outs & 2 != 0),
                            region("x", 2, b, 8 * d, 2, false),
                            region("x", 3, b, 8 * a, 1, false),
                        ];
                        assert_eq!(
                            message(regions.clone()).is_some(),
                            overlaps_pairwise(&regions),
                            "{a} {c} {d} {outs}"
                        );
                    }
                }
            }
        }
    }
}
