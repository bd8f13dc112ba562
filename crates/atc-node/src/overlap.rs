//! The soundness guard for writing into caller-provided arrays: no output may share a byte
//! with any other argument (input or output). Every export runs [`check_exclusive`] (directly,
//! or through [`writable`] / [`writable_all`]) before it turns an output into a `&mut` slice,
//! because a `&mut` aliasing another slice is undefined behaviour (and the kernels are not
//! in-place safe). Inputs may share memory with each other.

use napi::bindgen_prelude::{Float64ArraySlice, Int8ArraySlice};

use crate::args::{Failure, Label, Outcome};

/// A typed-array argument the binding may write (napi-rs's zero-copy slices).
pub trait Output {
    /// Element type.
    type Elem;
    /// The elements, for the overlap check.
    fn elems(&self) -> &[Self::Elem];
    /// The elements, writable.
    ///
    /// # Safety
    /// The memory must stay valid and unaliased while the slice lives (see the crate docs).
    unsafe fn elems_mut(&mut self) -> &mut [Self::Elem];
}

macro_rules! output {
    ($slice:ident, $elem:ty) => {
        impl Output for $slice<'_> {
            type Elem = $elem;
            fn elems(&self) -> &[$elem] {
                self
            }
            unsafe fn elems_mut(&mut self) -> &mut [$elem] {
                // SAFETY: the caller's contract.
                unsafe { self.as_mut() }
            }
        }
    };
}

output!(Float64ArraySlice, f64);
output!(Int8ArraySlice, i8);

/// `out` as a `&mut` slice, once it is proved to share no memory with `inputs` (at most 3).
pub fn writable<'a, O: Output, const N: usize>(
    out: &'a mut O,
    name: &'static str,
    inputs: [Region; N],
) -> Outcome<&'a mut [O::Elem]> {
    const { assert!(N < 4) };
    let mut regions = [Region::NONE; 4];
    regions[..N].copy_from_slice(&inputs);
    regions[N] = Region::output(name, out.elems());
    check_exclusive(&mut regions[..=N])?;
    // SAFETY: valid for the call (crate docs) and, as just checked, overlapping nothing else.
    Ok(unsafe { out.elems_mut() })
}

/// The bytes one typed-array argument covers.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    name: Label,
    start: usize,
    end: usize,
    output: bool,
}

impl Region {
    /// No memory (overlaps nothing).
    const NONE: Region = Region {
        name: Label::plain(""),
        start: 0,
        end: 0,
        output: false,
    };

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

/// Every element of `outputs` (labelled `name[i]`) as a `&mut` slice, once none shares memory
/// with another output or with `inputs`.
pub fn writable_all<'a, O: Output>(
    outputs: &'a mut [O],
    name: &'static str,
    mut inputs: Vec<Region>,
) -> Outcome<Vec<&'a mut [O::Elem]>> {
    inputs.extend(
        (0..)
            .zip(outputs.iter())
            .map(|(i, o)| Region::output(Label::at(name, i), o.elems())),
    );
    check_exclusive(&mut inputs)?;
    // SAFETY: valid for the call (crate docs) and, as just checked, overlapping nothing else.
    Ok(outputs
        .iter_mut()
        .map(|o| unsafe { o.elems_mut() })
        .collect())
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
        // one byte of an Int8Array inside a Float64Array
        let byte = Region {
            name: Label::plain("c"),
            start: b + 31,
            end: b + 32,
            output: true,
        };
        let cases: [(&str, Vec<Region>, Option<&str>); 7] = [
            (
                "disjoint outputs; inputs may share",
                vec![out(0, 0, 4), out(1, 32, 4), inp(0, 64, 8), inp(1, 64, 8)],
                None,
            ),
            (
                "output inside an earlier input",
                vec![out(0, 72, 2), inp(0, 64, 8)],
                Some("outs[0] must not share memory with series[0]"),
            ),
            (
                "input starting inside an output",
                vec![out(0, 56, 4), inp(0, 64, 8)],
                Some("outs[0] must not share memory with series[0]"),
            ),
            (
                "the same output twice",
                vec![out(0, 0, 4), out(1, 0, 4)],
                Some("outs[1] must not share memory with outs[0]"),
            ),
            (
                "a long early input covering a later output",
                vec![inp(0, 0, 60), out(0, 400, 2)],
                Some("outs[0] must not share memory with series[0]"),
            ),
            (
                "touching ranges, empty arrays",
                vec![out(0, 0, 4), out(1, 32, 0), out(2, 32, 1), inp(0, 40, 1)],
                None,
            ),
            (
                "one byte inside a Float64Array",
                vec![inp(0, 0, 4), byte],
                Some("c must not share memory with series[0]"),
            ),
        ];
        for (what, regions, expected) in cases {
            assert_eq!(message(regions).as_deref(), expected, "{what}");
        }
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
