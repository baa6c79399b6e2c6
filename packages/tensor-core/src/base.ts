/**
 * @paperkit/tensor-core/base: the part of tensor-core that needs neither
 * TensorFlow.js nor Node: typed errors, the options convention, the seeded
 * generator, byte-level readers and writers (safetensors, .npy/.npz, JSONL),
 * classification metrics, small linear algebra, and result reporting with
 * `defineReproduction`. A package that computes without tensors (smooth-goodput)
 * imports only this (and `./node`), so it installs and runs without tfjs.
 * The main entry re-exports all of it.
 */

// Errors (check with `OptionError.isInstance(e)`: true across the ESM and CJS copies)
export { PaperkitError, ShapeError, FormatError, OptionError, NonFiniteLossError, BackendError, isInputError } from './errors.js';

// Options: one exported defaults constant and a validating parse per public function
export {
  defineOptions, opt,
  type OptionRule, type RuleValue, type RequiredRule, type DefaultRule, type OptionalRule, type OptionsDefinition, type ParsedOptions, type UserOptions, type OptionDefaults,
} from './options.js';

// Seeded randomness (the generator; tensor initialisers are in the main entry)
export { createRng, toRng, type Rng, type Seed } from './rng.js';

// Linear algebra helpers (JS, small matrices)
export { jacobiEigenSymmetric, type EigenResult, type JacobiOptions } from './linalg/jacobi-eig.js';
export { cosine, cosineMatrix } from './linalg/cosine.js';

// Metrics
export { accuracy, argmaxRows, confusionMatrix, type LabelOptions } from './metrics/classification.js';

// I/O on bytes (file paths are in ./node)
export {
  readSafetensors, writeSafetensors, SAFETENSORS_DTYPES,
  type SafetensorsDType, type SafetensorsTensor, type SafetensorsFile, type TensorMap, type TensorInput,
} from './io/safetensors.js';
export { readNpy, writeNpy, readNpz, writeNpz, type NpyArray, type NpyDType, type NpyInput } from './io/npy.js';
export { parseJsonlLines, parseJsonlChunks, type JsonlRecord } from './io/jsonl.js';
export { float32ToBfloat16, bfloat16ToFloat32, float32ToFloat16, float16ToFloat32 } from './io/half-float.js';

// Reporting
export {
  summarize, rowsFromSeeds, metricMean,
  type MetricSummary, type ResultRow, type ReproductionResult,
} from './report/reproduction-result.js';
export { formatTable, formatResultTable, formatNumber, formatMeanStd, type Cell } from './report/table.js';
export { resultToSvg, lineChartSvg, barChartSvg, type ChartSeries } from './report/plot.js';
export {
  defineReproduction, resolveFlags, kebabCase,
  type ReproductionDefinition, type Reproduction, type RunReproductionOptions, type SeedContext, type SeedsContext, type SeedOutcome,
  type DecideContext, type Decision, type FlagSpec, type FlagSpecs, type FlagValues,
} from './report/define-reproduction.js';
