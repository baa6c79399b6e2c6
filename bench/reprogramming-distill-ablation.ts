/**
 * The full RD ablation of spec section 4 (not part of `reproduce`): on the reproduction's
 * seeded world (n = 200, same FM, cache, student initialisation and batch plan per seed),
 * RD full against RD without KL, without CKA, without co-training (R and C trained first,
 * frozen, then distilled), with MSE instead of CKA, with constant a = b = 1 (the spec's
 * prototype), and with RBF / unbiased CKA.
 *
 * Run: pnpm exec tsx --conditions=@paperkit/source bench/reprogramming-distill-ablation.ts [--seeds 3] [--quick] [--json FILE]
 */
import { formatResultTable, initBackend, rowsFromSeeds } from '../packages/tensor-core/src/index.js';
import { writeFileAtomic } from '../packages/tensor-core/src/io/atomic-write.js';
import { evaluateAccuracy, reprogramDistill, type RDLossOptions } from '../packages/reprogramming-distill/src/index.js';
import { FULL_CONFIG, QUICK_CONFIG, prepareSeedWorld } from '../packages/reprogramming-distill/src/reproduce/run.js';
import { FM_FEATURE_LAYER } from '../packages/reprogramming-distill/src/reproduce/models.js';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const seeds = Number(flag('--seeds') ?? (quick ? 1 : 3));
const json = flag('--json');
const cfg = quick ? QUICK_CONFIG : FULL_CONFIG;

const VARIANTS: Record<string, { loss?: RDLossOptions; coTrain?: boolean }> = {
  'RD full': {},
  'RD w/o KL': { loss: { kl: { weight: 0 } } },
  'RD w/o CKA': { loss: { cka: { weight: 0 } } },
  'RD w/o co-training': { coTrain: false },
  'RD, MSE instead of CKA': { loss: { cka: { measure: 'mse' } } },
  'RD, constant a = b = 1': { loss: { teacherCe: 1, kl: { weight: 1 } } },
  'RD, RBF CKA': { loss: { cka: { kernel: 'rbf' } } },
  'RD, unbiased CKA': { loss: { cka: { estimator: 'unbiased' } } },
};

await initBackend({ quiet: true });
const started = performance.now();
const perSeed: Array<Record<string, Record<string, number>>> = [];
for (let seed = 0; seed < seeds; seed++) {
  const world = await prepareSeedWorld(seed, cfg, 200);
  const out: Record<string, Record<string, number>> = {};
  try {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      const rd = await reprogramDistill({
        teacher: world.fm, teacherFeatureLayer: FM_FEATURE_LAYER, student: world.newStudent(), numClasses: 3,
        teacherCache: world.cache, steps: cfg.steps, batchSize: 64, lr: 3e-3, seed, ...variant,
      });
      out[name] = {
        'test acc': evaluateAccuracy(rd.deployModel, world.testX, world.testY),
        'reprogrammed FM acc': evaluateAccuracy((x) => rd.teacherLogits(x), world.testX, world.testY),
        'train s': rd.history.seconds,
      };
      rd.dispose();
      rd.deployModel.dispose();
      console.error(`seed ${seed} ${name}: ${out[name]['test acc'].toFixed(3)}`);
    }
  } finally {
    world.disposers.forEach((d) => d.dispose());
  }
  perSeed.push(out);
}
const rows = rowsFromSeeds(perSeed);
console.log(`\nRD ablation, n = 200, ${seeds} seed${seeds > 1 ? 's' : ''}${quick ? ', quick' : ''}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
console.log(formatResultTable({ rows }));
if (json) await writeFileAtomic(json, `${JSON.stringify({ quick, seeds, rows }, null, 2)}\n`);
