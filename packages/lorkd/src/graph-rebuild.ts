/**
 * Walk a Sequential or functional LayersModel in topological order and rebuild
 * it layer by layer on new symbolic inputs. addTaskExperts and mergeExpert are
 * both "the same graph with some layers swapped", so they share this walk.
 */
import * as tf from '@tensorflow/tfjs';
import { UnsupportedLayerError } from './errors.js';

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

export type LayerMapper = (layer: tf.layers.Layer, inputs: tf.SymbolicTensor[]) => tf.SymbolicTensor;

/**
 * Rebuild `model` with `newInputs[i]` standing for `model.inputs[i]`; `mapLayer`
 * returns the new output of each (non-input) layer. Returns the new outputs in
 * the order of `model.outputs`.
 */
export function rebuildGraph(model: tf.LayersModel, newInputs: tf.SymbolicTensor[], mapLayer: LayerMapper): tf.SymbolicTensor[] {
  const mapped = new Map<number, tf.SymbolicTensor>();
  model.inputs.forEach((t, i) => mapped.set(t.id, newInputs[i]));
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
    const node = nodes.find((n) => n.inputTensors.length > 0 && n.inputTensors.every((t) => mapped.has(t.id)));
    if (!node) {
      throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'its inputs are not reachable from the model inputs (nested models and shared layers are not supported)');
    }
    if (node.outputTensors.length !== 1) {
      throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'layers with several outputs are not supported');
    }
    const out = mapLayer(layer, node.inputTensors.map((t) => mapped.get(t.id)!));
    mapped.set(node.outputTensors[0].id, out);
  }
  return model.outputs.map((t) => {
    const out = mapped.get(t.id);
    if (!out) throw new UnsupportedLayerError(model.name, 'LayersModel', 'an output could not be rebuilt');
    return out;
  });
}

/** A fresh copy of a weight-carrying or weightless layer with the same config (weights copied by {@link copyWeights}). */
export function freshLayer(layer: tf.layers.Layer): tf.layers.Layer {
  const cls = layer.constructor as unknown as {
    fromConfig: (c: unknown, config: tf.serialization.ConfigDict) => tf.layers.Layer;
  };
  return cls.fromConfig(cls, layer.getConfig());
}

/** Copy `from`'s weights into the (built) layer `to`. */
export function copyWeights(from: tf.layers.Layer, to: tf.layers.Layer): void {
  const weights = from.getWeights();
  if (weights.length > 0) to.setWeights(weights);
}
