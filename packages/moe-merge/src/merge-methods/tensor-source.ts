/**
 * A tensor seen as something that can be read in element ranges. The merge
 * engine works chunk by chunk through this interface, so the same code merges
 * in-memory Float32Arrays (`mergeTensors`) and tensors that stay on disk
 * (`buildMoE` streams them through positioned reads; spec section 8, mergekit #266).
 */
export interface TensorSource {
  /** Number of elements. */
  readonly numel: number;
  /**
   * Elements [start, end) as float32. The result may be a view that is only valid
   * until the next `read` of this source; the engine never writes into it.
   */
  read(start: number, end: number): Float32Array;
}

/** Wrap an in-memory array. */
export function arraySource(data: Float32Array): TensorSource {
  return { numel: data.length, read: (start, end) => data.subarray(start, end) };
}
