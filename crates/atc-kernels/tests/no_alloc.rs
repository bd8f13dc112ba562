//! A warm `Workspace` makes `compute_atc` allocation-free (counting global allocator; this file
//! holds a single test so no other test allocates concurrently).

mod common;
use atc_kernels::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // only allocations made by the test thread count (the harness may allocate concurrently)
    static TRACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if TRACK.try_with(|t| t.get()).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded verbatim to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded verbatim to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded verbatim to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn warm_workspace_does_not_allocate() {
    let prices = common::random_prices(2000, 5);
    let p = Params {
        cutout: 10,
        ..Params::default()
    };
    let m = prices.len() - p.cutout;
    let mut all = common::AtcOutputs::new(m);
    TRACK.with(|t| t.set(true));
    let mut ws = Workspace::new();
    all.compute(&prices, &p, &mut ws).unwrap();
    // Pine semantics: n bars out, same workspace
    let pine = Params {
        semantics: Semantics::Pine,
        ..p
    };
    let mut out_pine = vec![0.0; 13 * prices.len()];
    compute_atc(&prices, &pine, &mut out_pine, None, &mut ws).unwrap();

    let short = &prices[..500];
    let mut out_s = vec![0.0; 13 * (500 - p.cutout)];
    let mut o = vec![0.0; prices.len()];
    let mut scratch = vec![0.0; prices.len()];

    let before = ALLOCS.load(Ordering::SeqCst);
    for _ in 0..5 {
        all.compute(&prices, &p, &mut ws).unwrap();
        compute_atc(&prices, &p, &mut all.out, None, &mut ws).unwrap();
        compute_atc(&prices, &pine, &mut out_pine, None, &mut ws).unwrap();
    }
    // shorter series, same λ: still warm
    compute_atc(short, &p, &mut out_s, None, &mut ws).unwrap();
    // single kernels other than HMA never allocate
    let before_kernels = ALLOCS.load(Ordering::SeqCst);
    for f in [sma, ema, wma, dema, lsma, kama] {
        f(&prices, 28, &mut o).unwrap();
    }
    hma_with_scratch(&prices, 28, &mut o, &mut scratch).unwrap();
    let after = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(after - before_kernels, 0, "single kernels allocated");
    TRACK.with(|t| t.set(false));
    assert_eq!(
        after - before,
        0,
        "compute_atc allocated with a warm workspace"
    );
}
