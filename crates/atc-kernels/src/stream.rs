//! Streaming ATC (docs/streaming.md): one bar at a time, bit for bit equal to `compute_atc`
//! over the whole series.
//!
//! (Skeleton: the API is fixed; the bodies follow.)

use alloc::vec::Vec;

use crate::error::{KResult, KernelError};
use crate::pipeline::{Params, OUT_ROWS};

/// Outcome of one stream step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// The bar was stepped and committed.
    Ok,
    /// core's growth rule failed on this bar (a Layer-1 value, or the sum of the six Layer-2
    /// equities, is not finite): nothing was committed, the state is unchanged.
    NotFinite,
}

/// One ATC stream: `push` a close, get the bar's 13 outputs.
#[derive(Clone)]
pub struct AtcStream {
    params: Params,
    bars: u64,
    _state: Vec<f64>,
}

impl AtcStream {
    /// A stream with no bar yet (`params` validated).
    pub fn new(params: &Params) -> KResult<AtcStream> {
        params.validate()?;
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Doubles in the canonical state vector of `params` (docs/streaming.md).
    pub fn state_len(params: &Params) -> KResult<usize> {
        params.validate()?;
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// A stream restored from a canonical state vector after `bars` bars.
    pub fn from_state(params: &Params, bars: u64, state: &[f64]) -> KResult<AtcStream> {
        let _ = (bars, state);
        params.validate()?;
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Bars pushed so far.
    pub fn len(&self) -> u64 {
        self.bars
    }

    /// True before the first bar.
    pub fn is_empty(&self) -> bool {
        self.bars == 0
    }

    /// Step a new bar; `out13[..13]` receives its outputs.
    pub fn push(&mut self, close: f64, out13: &mut [f64]) -> KResult<StepStatus> {
        let _ = (close, out13, &self.params);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Replace the last bar's close.
    pub fn replace_last(&mut self, close: f64, out13: &mut [f64]) -> KResult<StepStatus> {
        let _ = (close, out13);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Push `k` closes; `out` is 13 rows × k row-major.
    pub fn push_many(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        let _ = (closes, out, OUT_ROWS);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Write the canonical state vector (`out.len() == state_len`).
    pub fn export_state(&self, out: &mut [f64]) -> KResult<()> {
        let _ = out;
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }
}

/// `count` streams of one configuration, advanced together.
#[derive(Clone)]
pub struct StreamSet {
    streams: Vec<AtcStream>,
    bars: u64,
}

impl StreamSet {
    /// `count` empty streams.
    pub fn new(params: &Params, count: usize) -> KResult<StreamSet> {
        let _ = count;
        params.validate()?;
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Number of streams.
    pub fn count(&self) -> usize {
        self.streams.len()
    }

    /// Bars pushed so far (the same for every stream).
    pub fn len(&self) -> u64 {
        self.bars
    }

    /// True before the first bar.
    pub fn is_empty(&self) -> bool {
        self.bars == 0
    }

    /// Push one close per stream; `out` is 13 rows × count row-major.
    pub fn push(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        let _ = (closes, out);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Replace every stream's last close.
    pub fn replace_last(&mut self, closes: &[f64], out: &mut [f64]) -> KResult<Option<usize>> {
        let _ = (closes, out);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }

    /// Canonical state vector of stream `index`.
    pub fn export_state(&self, index: usize, out: &mut [f64]) -> KResult<()> {
        let _ = (index, out);
        Err(KernelError::InvalidState { reason: "not implemented yet" })
    }
}
