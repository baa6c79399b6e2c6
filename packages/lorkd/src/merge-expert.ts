/**
 * Deployment (spec section 2, "Inference"): with a known task id, expert t is
 * folded into the backbone, W_t = W0 + delta_t, giving one plain network of
 * backbone size per department; switching departments subtracts delta_t and
 * adds delta_t' in place.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { isExpertLayer, type ExpertLayer } from './expert-layer.js';
import { copyWeights, freshLayer, rebuildGraph } from './graph-rebuild.js';
import { MultiExpertConv2D } from './multi-expert-conv2d.js';
import { MultiExpertDense } from './multi-expert-dense.js';
import { classOffsets } from './task-labels.js';

export interface MergeExpertOptions {
  /**
   * When given, the output Dense layer (the concatenated per-task heads) is cut
   * down to task t's class block, so the merged model outputs C_t local logits
   * and holds only its own head (the deployed size of spec section 5).
   */
  classesPerTask?: number[];
}

interface MergedInfo {
  student: tf.LayersModel;
  task: number;
  /** merged layer name -> student expert layer */
  experts: Map<string, ExpertLayer & tf.layers.Layer>;
  head: { name: string; studentLayer: tf.layers.Layer; classesPerTask: number[] } | null;
}

const mergedModels = new WeakMap<tf.LayersModel, MergedInfo>();

/** The student's input that carries task rows (the second input of an expert layer), or null. */
function taskInputIds(student: tf.LayersModel): Set<number> {
  const ids = new Set<number>();
  for (const layer of student.layers) {
    if (!isExpertLayer(layer)) continue;
    for (const node of (layer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes) {
      if (node.inputTensors[1]) ids.add(node.inputTensors[1].id);
    }
  }
  return ids;
}

function expertLayers(student: tf.LayersModel): Array<ExpertLayer & tf.layers.Layer> {
  return student.layers.filter(isExpertLayer);
}

function checkTask(student: tf.LayersModel, task: number, option = 'task'): number {
  const experts = expertLayers(student);
  if (experts.length === 0) throw new OptionError('student', 'a model built by addTaskExperts (no expert layers found)', student.name);
  const T = experts[0].numTasks;
  if (!Number.isInteger(task) || task < 0 || task >= T) throw new OptionError(option, `an integer task id in [0, ${T - 1}]`, task);
  return T;
}

/**
 * A plain LayersModel (input x only, Dense/Conv2D layers) equal to
 * student(x, e_t). Returns a new model; the student is unchanged.
 */
export function mergeExpert(student: tf.LayersModel, task: number, options: MergeExpertOptions = {}): tf.LayersModel {
  const T = checkTask(student, task);
  const taskIds = taskInputIds(student);
  const xInputs = student.inputs.filter((t) => !taskIds.has(t.id));
  if (xInputs.length !== 1) throw new OptionError('student', 'a hard-routed student with inputs [x, taskRows]', student.inputs.length);
  const { classesPerTask } = options;
  if (classesPerTask && classesPerTask.length !== T) throw new OptionError('classesPerTask', `an array of length ${T}`, classesPerTask);
  const outputLayerNames = new Set(student.outputs.map((t) => t.sourceLayer.name));
  const info: MergedInfo = { student, task, experts: new Map(), head: null };

  const x = tf.input({ shape: xInputs[0].shape.slice(1) as number[] });
  // Every student input maps to x: the task input only feeds expert layers, which are rebuilt without it.
  const outputs = rebuildGraph(student, student.inputs.map(() => x), (layer, ins) => {
    const sliceHead = classesPerTask !== undefined && outputLayerNames.has(layer.name);
    if (isExpertLayer(layer)) {
      const plain = plainLayerFor(layer, sliceHead ? classesPerTask![task] : undefined);
      const out = plain.apply(ins[0]) as tf.SymbolicTensor;
      const weights = tf.tidy(() => {
        const kernel = tf.add(layer.baseKernel(), layer.delta(task));
        const bias = layer.baseBias();
        const ws = bias ? [kernel, bias] : [kernel];
        return sliceHead ? ws.map((w) => sliceColumns(w, classesPerTask!, task)) : ws.map((w) => w.clone());
      });
      plain.setWeights(weights);
      tf.dispose(weights);
      info.experts.set(plain.name, layer);
      if (sliceHead) info.head = { name: plain.name, studentLayer: layer, classesPerTask: classesPerTask! };
      return out;
    }
    if (sliceHead) {
      if (layer.getClassName() !== 'Dense') {
        throw new OptionError('classesPerTask', `an output Dense layer to slice into heads (got ${layer.getClassName()} "${layer.name}")`, classesPerTask);
      }
      const config = layer.getConfig() as { activation: string; useBias: boolean; name: string };
      const plain = tf.layers.dense({ units: classesPerTask![task], activation: config.activation as never, useBias: config.useBias, name: config.name });
      const out = plain.apply(ins[0]) as tf.SymbolicTensor;
      const weights = tf.tidy(() => layer.getWeights().map((w) => sliceColumns(w, classesPerTask!, task)));
      plain.setWeights(weights);
      tf.dispose(weights);
      info.head = { name: plain.name, studentLayer: layer, classesPerTask: classesPerTask! };
      return out;
    }
    const copy = freshLayer(layer);
    const out = copy.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
    copyWeights(layer, copy);
    return out;
  });
  const merged = tf.model({ inputs: x, outputs, name: `${student.name}_expert${task}` });
  mergedModels.set(merged, info);
  return merged;
}

/**
 * Switch a merged model from expert `from` to expert `to` in place:
 * W <- W - delta_from + delta_to on every expert layer (and the head block when
 * the head was sliced, which needs equal class counts). `from` must be the expert
 * the model currently holds.
 */
export function switchExpert(merged: tf.LayersModel, from: number, to: number): void {
  const info = mergedModels.get(merged);
  if (!info) throw new OptionError('merged', 'a model returned by mergeExpert', merged.name);
  checkTask(info.student, from, 'from');
  checkTask(info.student, to, 'to');
  if (from !== info.task) throw new OptionError('from', `the expert the model currently holds (${info.task})`, from);
  if (from === to) return;
  if (info.head && info.head.classesPerTask[from] !== info.head.classesPerTask[to]) {
    throw new OptionError('to', `a task with the same class count as task ${from} (${info.head.classesPerTask[from]}) when the head is sliced; merge again instead`, to);
  }
  for (const layer of merged.layers) {
    const expert = info.experts.get(layer.name);
    const isHead = info.head?.name === layer.name;
    if (!expert && !isHead) continue;
    const next = tf.tidy(() => {
      if (isHead) {
        // A sliced head holds task `from`'s class block only: take task `to`'s block from the student.
        const { studentLayer, classesPerTask } = info.head!;
        const full = expert
          ? [tf.add(expert.baseKernel(), expert.delta(to)), ...(expert.baseBias() ? [expert.baseBias()!] : [])]
          : studentLayer.getWeights();
        return full.map((w) => sliceColumns(w, classesPerTask, to));
      }
      const [kernel, ...rest] = layer.getWeights();
      return [tf.add(kernel, tf.sub(expert!.delta(to), expert!.delta(from))), ...rest.map((w) => w.clone())];
    });
    layer.setWeights(next);
    tf.dispose(next);
  }
  info.task = to;
}

function plainLayerFor(layer: ExpertLayer & tf.layers.Layer, units?: number): tf.layers.Layer {
  if (layer instanceof MultiExpertDense) {
    return tf.layers.dense({ units: units ?? layer.units, activation: layer.activation as never, useBias: layer.useBias, name: layer.name });
  }
  if (layer instanceof MultiExpertConv2D) {
    if (units !== undefined) throw new OptionError('classesPerTask', 'an output Dense layer to slice into heads (got a conv)', units);
    return tf.layers.conv2d({
      filters: layer.filters, kernelSize: layer.kernelSize, strides: layer.strides, padding: layer.padding,
      dilationRate: layer.dilationRate, activation: layer.activation as never, useBias: layer.useBias, name: layer.name,
    });
  }
  throw new OptionError('student', 'expert layers of type MultiExpertDense or MultiExpertConv2D', layer.getClassName());
}

/** Columns (last axis) of task t's class block. Returns a new tensor. */
function sliceColumns(w: tf.Tensor, classesPerTask: number[], task: number): tf.Tensor {
  const offsets = classOffsets(classesPerTask);
  const begin = new Array<number>(w.rank).fill(0);
  const size = new Array<number>(w.rank).fill(-1);
  begin[w.rank - 1] = offsets[task];
  size[w.rank - 1] = classesPerTask[task];
  return tf.slice(w, begin, size);
}
