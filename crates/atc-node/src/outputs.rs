//! Output memory for `computeAtcBatch` that is reused from batch to batch.
//!
//! A batch of 500 × 1,500 bars writes ~78 MB of outputs. Allocated by V8
//! (`Buffer.allocUnsafeSlow`), that memory was often fresh from the kernel (glibc maps blocks
//! this large, or trims them off its heap when they are freed): up to ~19,000 page faults per
//! batch, ~1.5 µs each on the batch's threads, and the unmapping on V8's helper threads.
//! [`batch_outputs`] (`batchOutputs`) hands out blocks of a process-wide pool instead, as
//! external ArrayBuffers whose finalizer (run on the JS thread after the garbage collector
//! freed the buffer; core yields one event-loop turn before a batch so that it has run) puts
//! the block back: a later batch writes into pages that are already mapped. The pool keeps at
//! most [`POOL_BYTES`] of free blocks; the rest is returned to the allocator.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::NonNull;
use std::sync::Mutex;

use napi::bindgen_prelude::{ArrayBuffer, Env, Unknown};
use napi_derive::napi;

use crate::args::integer;
use crate::run;

/// Most bytes of free blocks the pool keeps (about one and a half batches of 500 × 1,500 bars).
pub const POOL_BYTES: usize = 128 << 20;
/// Block sizes are multiples of this (so a batch of slightly different lengths still fits).
const GRANULE: usize = 1 << 16;
/// Alignment of a block (a cache line; f64 needs 8).
const ALIGN: usize = 64;

/// A block of `bytes` bytes from `alloc_zeroed(Layout(bytes, ALIGN))`, owned by whoever holds it.
struct Block {
    ptr: NonNull<u8>,
    bytes: usize,
}

// SAFETY: a block is plain heap memory owned by exactly one holder at a time (the pool, or the
// ArrayBuffer it backs); nothing in it is tied to a thread.
unsafe impl Send for Block {}

impl Block {
    fn layout(bytes: usize) -> Layout {
        Layout::from_size_align(bytes, ALIGN).expect("block size overflows a Layout")
    }

    /// A new zeroed block (so its bytes are initialised before any slice sees them).
    fn new(bytes: usize) -> Block {
        // SAFETY: the layout's size is non-zero (callers ask for ≥ 1 granule).
        let ptr = unsafe { alloc_zeroed(Self::layout(bytes)) };
        let ptr = NonNull::new(ptr)
            .unwrap_or_else(|| std::alloc::handle_alloc_error(Self::layout(bytes)));
        Block { ptr, bytes }
    }

    fn free(self) {
        // SAFETY: allocated by `Block::new` with this layout, and owned (so freed once).
        unsafe { dealloc(self.ptr.as_ptr(), Self::layout(self.bytes)) }
    }
}

static POOL: Mutex<Vec<Block>> = Mutex::new(Vec::new());

fn pool() -> std::sync::MutexGuard<'static, Vec<Block>> {
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The smallest free block of at least `bytes` (and at most 5/4 of it, so a small request does
/// not pin a large block), else a new one.
fn take(bytes: usize) -> Block {
    let size = bytes.div_ceil(GRANULE).max(1) * GRANULE;
    let mut free = pool();
    let best = (0..free.len())
        .filter(|&i| free[i].bytes >= size && free[i].bytes <= size + size / 4)
        .min_by_key(|&i| free[i].bytes);
    match best {
        Some(i) => free.swap_remove(i),
        None => {
            drop(free);
            Block::new(size)
        }
    }
}

/// Puts a block back (or frees it when the pool is full).
fn give_back(block: Block) {
    let mut free = pool();
    let held: usize = free.iter().map(|b| b.bytes).sum();
    if held + block.bytes <= POOL_BYTES {
        free.push(block);
    } else {
        drop(free);
        block.free();
    }
}

/// An ArrayBuffer of `bytes` bytes on a pooled block (contents: zeros or an earlier batch's
/// outputs), which goes back to the pool when the buffer is garbage-collected.
#[cfg_attr(test, allow(dead_code))]
fn pooled_buffer(env: &Env, bytes: usize) -> napi::Result<ArrayBuffer<'_>> {
    let block = take(bytes);
    let ptr = block.ptr.as_ptr();
    // SAFETY: `ptr` points to `block.bytes ≥ bytes` initialised bytes owned by `block`, which
    // the finalizer receives and keeps alive until the buffer is collected; nothing else uses
    // the block meanwhile. (Where the runtime refuses external buffers, napi-rs copies the
    // bytes and calls the finalizer at once, which returns the block.)
    unsafe { ArrayBuffer::from_external(env, ptr, bytes, block, |_env, block| give_back(block)) }
}

/// `batchOutputs(bytes)`: an ArrayBuffer of `bytes` (> 0) for `computeAtcBatch`'s outputs,
/// uninitialised (zeros, or an earlier batch's outputs), on a pooled block (module docs).
#[napi(js_name = "batchOutputs", catch_unwind)]
#[cfg_attr(test, allow(dead_code))]
pub fn batch_outputs<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "number")] bytes: Unknown<'_>,
) -> napi::Result<ArrayBuffer<'env>> {
    let bytes = run(env, || integer(bytes, "bytes", 1))?;
    pooled_buffer(env, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    // (one test: the pool is process-wide, and tests run on parallel threads)
    #[test]
    fn blocks_are_reused_by_size_and_the_pool_is_bounded() {
        let small = take(1000);
        assert_eq!(small.bytes, GRANULE);
        let (ptr, bytes) = (small.ptr, small.bytes);
        give_back(small);
        let again = take(GRANULE - 8);
        assert_eq!(
            (again.ptr, again.bytes),
            (ptr, bytes),
            "the freed block is taken again"
        );
        give_back(again);
        // a request more than 5/4 of a free block's size, or larger, gets a new block
        let larger = take(3 * GRANULE);
        assert_eq!(larger.bytes, 3 * GRANULE);
        assert_ne!(larger.ptr, ptr);
        give_back(larger);
        let tiny_in_large = take(GRANULE);
        assert_eq!(
            tiny_in_large.ptr, ptr,
            "the best fit, not the larger free block"
        );
        give_back(tiny_in_large);
        // beyond POOL_BYTES, a returned block is freed instead of kept
        let big: Vec<Block> = (0..3).map(|_| take(POOL_BYTES / 2)).collect();
        for b in big {
            give_back(b);
        }
        let held: usize = pool().iter().map(|b| b.bytes).sum();
        assert!(held <= POOL_BYTES, "{held}");
        pool().drain(..).for_each(Block::free);
    }
}
