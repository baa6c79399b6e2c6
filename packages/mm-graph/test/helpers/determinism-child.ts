/** Child process of the determinism test: builds a seeded graph, trains briefly, prints JSON. */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { makeSyntheticNC } from '../../src/synthetic.js';
import { GCN } from '../../src/models/gcn.js';
import { trainNodeClassification } from '../../src/train-nc.js';
import { runHeuristic } from '../../src/reproduce/run.js';
import { makeSyntheticLP } from '../../src/synthetic.js';

await tf.setBackend('cpu');
const g = makeSyntheticNC({ seed: 7, numNodes: 200 });
const h = createHash('sha256');
for (const a of [g.text, g.image, g.src, g.dst, g.nodeSplit!.train]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const model = new GCN({ inDim: 48, outDim: 8, seed: 7 });
const r = await trainNodeClassification(model, g, { epochs: 5, seed: 7 });
const lp = makeSyntheticLP({ seed: 7, numNodes: 200 });
const mrr = runHeuristic('adamic-adar', lp, 7).metrics.mrr;
console.log(JSON.stringify({ hash: h.digest('hex'), acc: r.test, mrr, loss: r.history.loss }));
