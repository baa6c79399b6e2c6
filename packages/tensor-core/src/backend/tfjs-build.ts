/**
 * The tfjs build that paperkit's byte-level backend tricks were written and checked against (reading the
 * pool pointer out of tfjs-backend-wasm's compiled code, loading its threaded build on Node). Another version
 * may compile differently, so those tricks switch off, with the reason reported, unless `tf.version_core` is this.
 * The peer range (^4.22.0) says what runs; this says what runs with threads.
 */
export const SUPPORTED_TFJS_BUILD = '4.22.0';
