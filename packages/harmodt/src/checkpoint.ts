/**
 * HarmoDT checkpoints: the DT checkpoint of offline-rl (weights, config, normalisation,
 * prompts) plus the masks as a U8 tensor [groups, maskable] and, in the metadata, the
 * HarmoDT options, the maskable tensor names and the task -> group map.
 */
import { FormatError } from '@paperkit/tensor-core';
import { loadDecisionTransformer, saveDecisionTransformer } from '@paperkit/offline-rl';
import { HarmoDT } from './harmo-dt.js';

export async function saveHarmoDT(model: HarmoDT): Promise<Uint8Array> {
  const set = model.masks();
  const flat = new Uint8Array(set.masks.length * model.maskableTotal);
  set.masks.forEach((m, g) => flat.set(m, g * model.maskableTotal));
  return saveDecisionTransformer(model.dt, {
    tensors: { 'harmodt/masks': { dtype: 'U8', shape: [set.masks.length, model.maskableTotal], data: flat } },
    metadata: {
      harmodt: JSON.stringify(model.options),
      maskNames: JSON.stringify(set.tensorNames),
      groupOf: JSON.stringify(set.groupOf),
    },
  });
}

export function loadHarmoDT(bytes: Uint8Array, source = '<bytes>'): HarmoDT {
  const { model: dt, file } = loadDecisionTransformer(bytes, source);
  try {
    if (!file.metadata.harmodt) throw new FormatError(source, 'not a HarmoDT checkpoint (no harmodt metadata)');
    const options = JSON.parse(file.metadata.harmodt);
    const model = new HarmoDT(options);
    try {
      // Copy the loaded weights into the new model (same config, same names).
      const loaded = new Map(dt.namedVariables());
      for (const [name, v] of model.dt.namedVariables()) v.assign(loaded.get(name)!);
      model.dt.normalization = dt.normalization;
      model.dt.evaluationPrompts = dt.evaluationPrompts;
      const masks = file.tensors['harmodt/masks'];
      if (!masks || masks.shape.length !== 2 || masks.shape[1] !== model.maskableTotal) {
        throw new FormatError(source, `tensor harmodt/masks must be [groups, ${model.maskableTotal}]`);
      }
      const data = masks.data as Uint8Array;
      model.loadMasks({
        tensorNames: JSON.parse(file.metadata.maskNames),
        tensorShapes: model.maskable.map((v) => v.shape),
        masks: Array.from({ length: masks.shape[0] }, (_, g) => data.slice(g * model.maskableTotal, (g + 1) * model.maskableTotal)),
        groupOf: JSON.parse(file.metadata.groupOf),
      });
      return model;
    } catch (error) {
      model.dispose();
      throw error;
    }
  } finally {
    dt.dispose();
  }
}
