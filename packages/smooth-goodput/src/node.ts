/** @paperkit/smooth-goodput/node: trace files by path (Node only). */
export { readTraceTable, readTraces, writeTracesJsonl } from './trace-file.js';
