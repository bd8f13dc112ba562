// Pine semantics (issue 12): the original TradingView script's arithmetic, end to end.
export { computePineAtc, pineConfigOf } from './atc.js';
export { accumulateMa } from './accumulate.js';
export { pineAverageSignal, pineCut } from './average.js';
export { pineEquity, pineScaledReturns } from './equity.js';
export { pineLayer1, pineRound2 } from './layer1.js';
export { pineDema, pineEma, pineKama, pineLinreg, pineMovingAverage, pineSma, pineWma } from './moving-averages.js';
export { type PineBuffers, type PineConfig, type PineDetails, type PineResult, computePine, runPine } from './pipeline.js';
