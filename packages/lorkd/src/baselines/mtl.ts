/**
 * MTL and MTL-KD baselines (spec section 4): the same backbone and per-task heads
 * as the LoRKD student but no experts, trained on L_task alone (MTL) or
 * L_task + lambda_kd * L_kd (MTL-KD). Every task's gradient lands on the same
 * shared weights: the conflict LoRKD separates.
 */
import { trainTaskModel, type TrainTaskModelOptions, type TrainTaskModelResult } from '../train-task-model.js';

export type TrainMTLOptions = Omit<TrainTaskModelOptions, 'head'>;

/** Train a plain multi-task model in place; pass a teacher (and kd) for MTL-KD, none for MTL. */
export function trainMTL(options: TrainMTLOptions): Promise<TrainTaskModelResult> {
  const kd = options.teacher === undefined ? false : options.kd;
  return trainTaskModel({ ...options, kd, head: 'task' });
}
