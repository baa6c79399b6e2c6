/**
 * Read a user's Sequential or functional tfjs LayersModel as a list of steps in
 * topological order (layer, ids of its input tensors, id of its output), so
 * MoLA can run the same graph eagerly with some layers swapped for adapter
 * layers, and rebuild it symbolically for the merged export.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { UnsupportedLayerError } from './errors.js';

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

export interface GraphStep {
  layer: tf.layers.Layer;
  inputs: number[];
  output: number;
}

export interface ModelGraph {
  inputId: number;
  outputId: number;
  /** Shape of one input sample (without the batch axis). */
  inputShape: number[];
  steps: GraphStep[];
}

const NESTED = new Set(['Sequential', 'Model', 'Functional', 'LayersModel']);

export function modelGraph(model: tf.LayersModel): ModelGraph {
  if (!model || !Array.isArray(model.inputs) || !Array.isArray(model.layers)) {
    throw new OptionError('model', 'a tf.LayersModel (tf.sequential or tf.model)', typeof model);
  }
  if (model.inputs.length !== 1) throw new OptionError('model', 'a model with exactly one input', model.inputs.length);
  if (model.outputs.length !== 1) throw new OptionError('model', 'a model with exactly one output (the head)', model.outputs.length);
  const known = new Set<number>([model.inputs[0].id]);
  const steps: GraphStep[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    if (NESTED.has(cls)) throw new UnsupportedLayerError(layer.name, cls, 'nested models are not supported; build the model flat');
    const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes.filter((n) => n.inputTensors.length > 0);
    if (nodes.length !== 1) throw new UnsupportedLayerError(layer.name, cls, 'shared layers (applied more than once) are not supported');
    const node = nodes[0];
    if (node.outputTensors.length !== 1) throw new UnsupportedLayerError(layer.name, cls, 'layers with several outputs are not supported');
    if (!node.inputTensors.every((t) => known.has(t.id))) {
      throw new UnsupportedLayerError(layer.name, cls, 'its inputs are not reachable from the model input');
    }
    steps.push({ layer, inputs: node.inputTensors.map((t) => t.id), output: node.outputTensors[0].id });
    known.add(node.outputTensors[0].id);
  }
  const outputId = model.outputs[0].id;
  if (!known.has(outputId)) throw new OptionError('model', 'an output computed from its input', model.outputs[0].name);
  return { inputId: model.inputs[0].id, outputId, inputShape: model.inputs[0].shape.slice(1) as number[], steps };
}

/** A fresh, unbuilt copy of a layer with the same config (weights are copied after it is built). */
export function freshLayer(layer: tf.layers.Layer, overrides: Record<string, unknown> = {}): tf.layers.Layer {
  const cls = layer.constructor as unknown as {
    fromConfig: (c: unknown, config: tf.serialization.ConfigDict) => tf.layers.Layer;
  };
  return cls.fromConfig(cls, { ...layer.getConfig(), ...overrides } as tf.serialization.ConfigDict);
}
