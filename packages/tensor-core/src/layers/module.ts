/**
 * The base of every paperkit layer. A Module owns its tf.Variables (it created
 * them, it disposes them), so a method package can hand `trainableVariables`
 * straight to an optimizer or to tensor-core's `fit`, and free a model with one
 * `dispose()`. Layers are plain objects with an `apply`, not tf.layers.Layer:
 * the paper losses need custom forward passes (adapter mixes, taped masks) that
 * are awkward to express as Keras layers.
 */
import * as tf from '@tensorflow/tfjs';

let variableCounter = 0;

/**
 * tfjs registers variables by name and refuses duplicates, so every variable a
 * Module creates gets the readable prefix plus a process-wide counter.
 */
export function uniqueVariableName(prefix: string): string {
  variableCounter += 1;
  return `${prefix}_${variableCounter}`;
}

/**
 * Turn a freshly created tensor into a variable and release the tensor (the
 * variable holds its own reference to the data).
 */
export function ownVariable(initial: tf.Tensor, name: string, trainable = true): tf.Variable {
  const variable = tf.variable(initial, trainable, uniqueVariableName(name));
  initial.dispose();
  return variable;
}

export abstract class Module {
  /** Every variable this module owns, its sub-modules' included, in a stable order. */
  abstract get variables(): tf.Variable[];

  /** The subset an optimizer should update (frozen LoRA bases are excluded). */
  get trainableVariables(): tf.Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /** Number of scalar parameters, trainable or not. */
  parameterCount(): number {
    return this.variables.reduce((total, v) => total + v.size, 0);
  }

  /** Number of scalar parameters an optimizer updates. */
  trainableParameterCount(): number {
    return this.trainableVariables.reduce((total, v) => total + v.size, 0);
  }

  /** Free every variable (and any constant tensor the module keeps). Safe to call twice. */
  dispose(): void {
    for (const v of this.variables) if (!v.isDisposed) v.dispose();
  }
}

/** Variables of several modules, deduplicated, in argument order (e.g. student + projector for one optimizer). */
export function collectVariables(...modules: Array<Module | { variables: tf.Variable[] }>): tf.Variable[] {
  const seen = new Set<tf.Variable>();
  const out: tf.Variable[] = [];
  for (const m of modules) {
    for (const v of m.variables) {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    }
  }
  return out;
}
