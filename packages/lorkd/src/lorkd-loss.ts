/**
 * The LoRKD objective (spec section 2, "Losses"):
 *
 *   L_task = (1/B) * sum_t n_t * CE(head_t(f_S[task = t]), y - offset_t)
 *   L_kd   = tau^2 * KL( softmax(z_T / tau) || softmax(z_S / tau) )   (batchmean)
 *   L      = L_task + lambda_kd * L_kd (+ lambda_g * CE over all classes, the optional global head)
 *
 * The per-task heads are the class blocks of one concatenated output layer:
 * sample b's logits outside its task's block are pushed to -1e9 before the
 * softmax, which is exactly a softmax over head_t alone (the masked columns get
 * probability 0 and gradient 0). The teacher's logits are restricted to the same
 * block, so KD only transfers the teacher's knowledge within the task (our
 * default; the released classification script switches KD off).
 */
import * as tf from '@tensorflow/tfjs';
import { kdLoss, sparseSoftmaxCrossEntropy } from '@paperkit/tensor-core';

/** Logit value outside a sample's class block: exp(-1e9 - max) is exactly 0 in float32. */
const MASKED_LOGIT = 1e9;

export interface LoRKDLossInput {
  /** Student logits over all classes, [B, sum C]. */
  logits: tf.Tensor;
  /** Global class ids (local label + class offset of the sample's task), int32 [B]. */
  labels: tf.Tensor;
  /** Per-sample class-block mask [B, sum C] (1 inside the sample's task block), see classBlockMatrix. */
  blockMask: tf.Tensor;
  /** Teacher logits [B, sum C] for logit KD. */
  teacherLogits?: tf.Tensor;
  /** Student / (projected) teacher features [B, F] for feature KD. */
  studentFeatures?: tf.Tensor;
  teacherFeatures?: tf.Tensor;
  /** lambda_kd (default 0.1, the segmentation repo's default). */
  kdWeight?: number;
  /** tau (default 1). */
  temperature?: number;
  /**
   * lambda_g of the optional global head (default 0): CE of the unrestricted logits against the global label,
   * which teaches the class blocks to compete, so a model can be read without a task id.
   */
  globalWeight?: number;
}

export interface LoRKDLossTerms {
  total: tf.Scalar;
  task: tf.Scalar;
  kd: tf.Scalar | null;
}

/** Restrict logits to each sample's task block (outside: -1e9). Returns a new tensor. */
export function restrictToTaskBlock(logits: tf.Tensor, blockMask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(logits, blockMask), tf.mul(tf.sub(blockMask, 1), MASKED_LOGIT)));
}

/** The LoRKD loss terms of one mixed-task batch. Returns new tensors. */
export function lorkdLoss(input: LoRKDLossInput): LoRKDLossTerms {
  const { kdWeight = 0.1, temperature = 1, globalWeight = 0 } = input;
  const terms = tf.tidy(() => {
    const student = restrictToTaskBlock(input.logits, input.blockMask);
    const task = sparseSoftmaxCrossEntropy(input.labels, student);
    let kd: tf.Scalar | null = null;
    if (input.teacherLogits && kdWeight > 0) {
      kd = kdLoss(student, restrictToTaskBlock(input.teacherLogits, input.blockMask), { temperature });
    } else if (input.studentFeatures && input.teacherFeatures && kdWeight > 0) {
      kd = kdLoss(input.studentFeatures, input.teacherFeatures, { temperature });
    }
    let total = kd ? (tf.add(task, tf.mul(kd, kdWeight)) as tf.Scalar) : task;
    if (globalWeight > 0) total = tf.add(total, tf.mul(sparseSoftmaxCrossEntropy(input.labels, input.logits), globalWeight)) as tf.Scalar;
    return kd ? { total, task, kd } : { total, task };
  }) as { total: tf.Scalar; task: tf.Scalar; kd?: tf.Scalar };
  return { total: terms.total, task: terms.task, kd: terms.kd ?? null };
}
