import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addTaskExperts, registerLoRKDLayers } from '../src/index.js';
import { setupBackend, smallMlp } from './helpers.js';

beforeAll(setupBackend);

describe('layer registration under sideEffects: false', () => {
  it('registerLoRKDLayers (also called by addTaskExperts) registers both layer classes once, and a saved student loads back', async () => {
    const names = () => Object.keys(tf.serialization.SerializationMap.getMap().classNameMap);
    registerLoRKDLayers();
    registerLoRKDLayers(); // idempotent
    expect(names()).toContain('MultiExpertDense');
    expect(names()).toContain('MultiExpertConv2D');
    const student = addTaskExperts(smallMlp(4, 4), { numTasks: 2 });
    let saved: tf.io.ModelArtifacts | undefined;
    await student.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(student.layers.map((l) => l.getClassName()));
    student.dispose();
    loaded.dispose();
  });
});
