// Pine semantics (issue 12): the original TradingView script's arithmetic, end to end.
export { pineAverageSignal, pineCut } from './average.js';
export { pineEntries } from './entries.js';
export { pineEquity, pineScaledReturns } from './equity.js';
export { pineLayer1, pineRound2 } from './layer1.js';
export { pineDema, pineEma, pineKama, pineLinreg, pineMovingAverage, pineSma, pineWma } from './moving-averages.js';
export { type PineConfig, type PineDetails, type PineResult, computePine } from './pipeline.js';
