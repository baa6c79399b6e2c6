/**
 * @paperkit/tensor-core/node: the parts that need Node (file paths, atomic
 * writes, processes). Everything browser-safe is in the main entry.
 */

// Files
export { writeFileAtomic, writeDirAtomic } from './io/atomic-write.js';
export { readJsonl, type ReadJsonlOptions } from './io/jsonl-file.js';
export { LazySafetensors, openSafetensors, type SafetensorsTensorInfo } from './io/safetensors-lazy.js';
export { readShardedIndex, writeShardedCheckpoint, type ShardedIndex, type ShardedWriteResult } from './io/sharded.js';

// The command-line runner every paperkit bin uses
export {
  defineCli, parseCommand, commandHelp, reproduceCommand, CliUsageError,
  type Cli, type CliDefinition, type CliCommand, type CliFlag, type CliPositional, type CommandInput, type CliIO,
} from './cli/define-cli.js';
export { runMain } from './cli/run-main.js';
export { runReproduction, type RunAndWriteOptions } from './cli/run-reproduction.js';

// Printing and writing a ReproductionResult (what `reproduce` does after the run)
export { finishReproduction, parseReproduceArgs, REPRODUCE_USAGE, type ReproduceArgs } from './report/reproduce-cli.js';

// Independent jobs of a run on worker threads (one single-threaded backend each)
export { runWorkerJobs, serveWorkerJobs, defaultWorkerCount, type RunWorkerJobsOptions, type WorkerJobs, type WorkerModule } from './parallel/worker-jobs.js';
