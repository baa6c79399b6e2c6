/**
 * Reproduction of spec section 5: LoRKD against STL, MTL, MTL-KD, a single
 * shared LoRA, a soft-routed MoE and the teacher on the four-region synthetic
 * world, over seeds; plus the EKS vs loop step time, the gradient-conflict
 * diagnostic and the optional 16x16 image world with conv experts.
 *
 * All hyperparameters are the spec's (no tuning; the validation split exists
 * for anyone who wants to tune, the test split is only read for the table).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, defineReproduction } from '@paperkit/tensor-core';
import { addTaskExperts } from '../add-task-experts.js';
import { addSharedLoRA } from '../baselines/shared-lora.js';
import { addSoftMoE } from '../baselines/soft-moe.js';
import { timeTrainingStep } from '../baselines/loop-separation.js';
import { trainMTL } from '../baselines/mtl.js';
import { trainSTL } from '../baselines/stl.js';
import { evaluateTasks, type TaskEvaluation } from '../evaluate.js';
import { gradientConflict } from '../gradient-conflict.js';
import { mergeExpert } from '../merge-expert.js';
import { trainLoRKD } from '../train-lorkd.js';
import { predictInBatches } from '../predict-in-batches.js';
import { trainTaskModel } from '../train-task-model.js';
import { FULL_SIZES, makeRegionData, sampleImages, toTensors, type SplitSizes } from './data.js';
import { cnn, mlp } from './models.js';

export const CLAIM =
  'Per-task low-rank experts distilled from the teacher beat a multi-task student of the same backbone: ' +
  'LoRKD mean region accuracy >= MTL + 0.04 and >= MTL-KD + 0.02, with the deployed merged expert <= 1/5 of the teacher\'s parameters';

/** Prototype numbers of spec section 5 (tfjs 4.22 wasm, 3 seeds). */
export const SPEC_PROTOTYPE: Record<string, string> = {
  teacher: '0.770 ± 0.003',
  MTL: '0.683 ± 0.014',
  'MTL-KD': '0.711 ± 0.015',
  'LoRKD w/o KD': '0.726 ± 0.016',
  LoRKD: '0.752 ± 0.006',
  'MTL wide (42)': '0.744',
};

interface Config {
  sizes: SplitSizes;
  teacherEpochs: number;
  studentEpochs: number;
  timingSteps: number;
  image: { perRegion: number; testPerRegion: number; teacherPerRegion: number; epochs: number; teacherEpochs: number };
}

const FULL: Config = {
  sizes: FULL_SIZES,
  teacherEpochs: 15,
  studentEpochs: 20,
  timingSteps: 40,
  image: { perRegion: 200, testPerRegion: 200, teacherPerRegion: 400, epochs: 8, teacherEpochs: 4 },
};
const QUICK: Config = {
  sizes: { train: 300, val: 50, test: 300, teacher: 600 },
  teacherEpochs: 8,
  studentEpochs: 16,
  timingSteps: 10,
  image: { perRegion: 48, testPerRegion: 48, teacherPerRegion: 96, epochs: 2, teacherEpochs: 2 },
};

const T = 4;
const C = 4;
const CLASSES = [C, C, C, C];
const ADAM = 3e-3;
const BATCH = 128;
const KD = { weight: 1, temperature: 4 };

function accMetrics(e: TaskEvaluation, extra: Record<string, number> = {}): Record<string, number> {
  const m: Record<string, number> = { 'mean region acc': e.meanTaskAccuracy };
  e.perTask.forEach((a, t) => (m[`region ${t + 1}`] = a));
  return { ...m, ...extra };
}

/** One seed of the four-region table. */
async function runRegionSeed(seed: number, cfg: Config, log: (s: string) => void): Promise<{ metrics: Record<string, Record<string, number>>; extra: Record<string, unknown> }> {
  tf.engine().startScope();
  const disposeLater: tf.LayersModel[] = [];
  try {
    const data = makeRegionData(seed, cfg.sizes);
    const D = data.world.dim;
    const train = toTensors(data.train);
    const test = toTensors(data.test);
    const teacherData = toTensors(data.teacher);
    const rng = createRng(seed).fork('models');
    const studentBase = () => mlp(D, [32, 32], T * C, rng.fork('student'));
    const common = { data: train, classesPerTask: CLASSES, optimizer: 'adam' as const, lr: ADAM, batchSize: BATCH, epochs: cfg.studentEpochs, seed };
    const out: Record<string, Record<string, number>> = {};
    const evaluate = (m: tf.LayersModel | tf.LayersModel[]) => evaluateTasks(m, test, { classesPerTask: CLASSES });

    const teacher = mlp(D, [128, 128], T * C, rng.fork('teacher'));
    disposeLater.push(teacher);
    await trainTaskModel({ model: teacher, data: teacherData, classesPerTask: CLASSES, head: 'global', optimizer: 'adam', lr: ADAM, batchSize: BATCH, epochs: cfg.teacherEpochs, seed });
    const teacherParams = teacher.countParams();
    const noTaskId = async (m: tf.LayersModel) => (await evaluateTasks(m, test, { classesPerTask: CLASSES, predictIn: 'all' })).accuracy;
    out.teacher = accMetrics(await evaluate(teacher), { 'deployed params': teacherParams, 'trained params': teacherParams, 'acc w/o task id': await noTaskId(teacher) });
    const teacherLogits = predictInBatches(teacher, train.x);

    const stl = await trainSTL({ ...common, makeModel: (t, c) => mlp(D, [32, 32], c, rng.fork(`stl${t}`)) });
    disposeLater.push(...stl);
    out.STL = accMetrics(await evaluate(stl), { 'deployed params': stl[0].countParams(), 'trained params': stl.reduce((a, m) => a + m.countParams(), 0) });

    const mtl = studentBase();
    disposeLater.push(mtl);
    await trainMTL({ ...common, model: mtl });
    const conflict = gradientConflict(mtl, train, { classesPerTask: CLASSES });
    const mtlParams = mtl.countParams() - 3 * (32 * C + C);
    out.MTL = accMetrics(await evaluate(mtl), { 'deployed params': mtlParams, 'trained params': mtl.countParams(), 'grad cosine': conflict.meanPairwiseCosine });

    const mtlKD = studentBase();
    disposeLater.push(mtlKD);
    await trainMTL({ ...common, model: mtlKD, teacher: teacherLogits, kd: KD });
    out['MTL-KD'] = accMetrics(await evaluate(mtlKD), { 'deployed params': mtlParams, 'trained params': mtlKD.countParams() });

    const wide = mlp(D, [42, 42], T * C, rng.fork('wide'));
    disposeLater.push(wide);
    await trainMTL({ ...common, model: wide, teacher: teacherLogits, kd: KD });
    out['MTL-KD wide (42)'] = accMetrics(await evaluate(wide), { 'deployed params': wide.countParams() - 3 * (42 * C + C), 'trained params': wide.countParams() });

    const expertOptions = { numTasks: T, rank: 4, alpha: 4, seed };
    const noKD = addTaskExperts(studentBase(), expertOptions);
    disposeLater.push(noKD);
    await trainLoRKD({ ...common, student: noKD, kd: false });
    out['LoRKD w/o KD'] = accMetrics(await evaluate(noKD));

    const lorkd = addTaskExperts(studentBase(), expertOptions);
    disposeLater.push(lorkd);
    await trainLoRKD({ ...common, student: lorkd, teacher: teacherLogits, kd: KD });
    const merged = CLASSES.map((_, t) => mergeExpert(lorkd, t, { classesPerTask: CLASSES }));
    disposeLater.push(...merged);
    const deployed = merged[0].countParams();
    out.LoRKD = accMetrics(await evaluate(lorkd), { 'deployed params': deployed, 'trained params': lorkd.countParams() });
    out['LoRKD merged experts'] = accMetrics(await evaluate(merged), { 'deployed params': deployed });
    out['LoRKD w/o KD'] = { ...out['LoRKD w/o KD'], 'deployed params': deployed, 'trained params': noKD.countParams() };

    const shared = addSharedLoRA(studentBase(), { rank: 4, alpha: 4, seed });
    disposeLater.push(shared);
    await trainMTL({ ...common, model: shared, teacher: teacherLogits, kd: KD });
    out['shared LoRA + KD'] = accMetrics(await evaluate(shared), { 'deployed params': mtlParams, 'trained params': shared.countParams() });

    const moe = addSoftMoE(studentBase(), expertOptions);
    disposeLater.push(moe);
    // The router sees only x; the global-head CE (lambda_g = 1, spec section 2) lets the class blocks compete,
    // so the model can also be read with no task id at all.
    await trainMTL({ ...common, model: moe, teacher: teacherLogits, kd: KD, globalWeight: 1 });
    out['soft MoE + KD (router, no task id to experts)'] = accMetrics(await evaluate(moe), { 'trained params': moe.countParams(), 'acc w/o task id': await noTaskId(moe) });

    // EKS vs per-task loop: same student, same minibatches, same loss.
    const timed = addTaskExperts(studentBase(), expertOptions);
    disposeLater.push(timed);
    const timing = { student: timed, data: train, classesPerTask: CLASSES, teacherLogits, kdWeight: KD.weight, temperature: KD.temperature, steps: cfg.timingSteps, batchSize: BATCH, seed };
    const loop1 = await timeTrainingStep({ ...timing, mode: 'loop' });
    const eks1 = await timeTrainingStep({ ...timing, mode: 'eks' });
    const loop2 = await timeTrainingStep({ ...timing, mode: 'loop' });
    const eks2 = await timeTrainingStep({ ...timing, mode: 'eks' });
    out['EKS train step'] = { 'ms/step': (eks1.msPerStep + eks2.msPerStep) / 2 };
    out['loop train step'] = { 'ms/step': (loop1.msPerStep + loop2.msPerStep) / 2 };
    log(`seed ${seed}: LoRKD ${out.LoRKD['mean region acc'].toFixed(3)}, MTL ${out.MTL['mean region acc'].toFixed(3)}, MTL-KD ${out['MTL-KD']['mean region acc'].toFixed(3)}, teacher ${out.teacher['mean region acc'].toFixed(3)}; EKS ${out['EKS train step']['ms/step'].toFixed(2)} ms vs loop ${out['loop train step']['ms/step'].toFixed(2)} ms`);
    return { metrics: out, extra: { teacherParams, deployed, gradientCosine: conflict.cosine } };
  } finally {
    for (const m of disposeLater) m.dispose();
    tf.engine().endScope();
  }
}

/** One seed of the 16x16 image table (conv experts). */
async function runImageSeed(seed: number, cfg: Config): Promise<Record<string, Record<string, number>>> {
  tf.engine().startScope();
  const models: tf.LayersModel[] = [];
  try {
    const { perRegion, testPerRegion, teacherPerRegion, epochs, teacherEpochs } = cfg.image;
    const train = toTensors(sampleImages(seed, 'train', perRegion));
    const test = toTensors(sampleImages(seed, 'test', testPerRegion));
    const teacherData = toTensors(sampleImages(seed, 'teacher', teacherPerRegion));
    const rng = createRng(seed).fork('image-models');
    const student = () => cnn([6, 8], [], T * C, rng.fork('student'));
    const common = { data: train, classesPerTask: CLASSES, optimizer: 'adam' as const, lr: ADAM, batchSize: 64, epochs, seed };
    const evaluate = async (m: tf.LayersModel) => (await evaluateTasks(m, test, { classesPerTask: CLASSES })).meanTaskAccuracy;
    const out: Record<string, Record<string, number>> = {};

    const teacher = cnn([16, 32], [64], T * C, rng.fork('teacher'));
    models.push(teacher);
    await trainTaskModel({ model: teacher, data: teacherData, classesPerTask: CLASSES, head: 'global', optimizer: 'adam', lr: ADAM, batchSize: 64, epochs: teacherEpochs, seed });
    out['img teacher'] = { 'mean region acc': await evaluate(teacher), 'deployed params': teacher.countParams() };
    const teacherLogits = predictInBatches(teacher, train.x);

    const mtl = student();
    models.push(mtl);
    await trainMTL({ ...common, model: mtl });
    // Deployed size of a multi-task model for one region: everything but the other regions' head blocks.
    const headBlock = (m: tf.LayersModel) => (m.outputs[0].sourceLayer.getWeights()[0].shape[0] + 1) * C;
    out['img MTL'] = { 'mean region acc': await evaluate(mtl), 'deployed params': mtl.countParams() - (T - 1) * headBlock(mtl) };

    const mtlKD = student();
    models.push(mtlKD);
    await trainMTL({ ...common, model: mtlKD, teacher: teacherLogits, kd: KD });
    out['img MTL-KD'] = { 'mean region acc': await evaluate(mtlKD), 'deployed params': mtlKD.countParams() - (T - 1) * headBlock(mtlKD) };

    const lorkd = addTaskExperts(student(), { numTasks: T, rank: 2, alpha: 2, seed });
    models.push(lorkd);
    await trainLoRKD({ ...common, student: lorkd, teacher: teacherLogits, kd: KD });
    const merged = mergeExpert(lorkd, 0, { classesPerTask: CLASSES });
    models.push(merged);
    out['img LoRKD (conv experts)'] = { 'mean region acc': await evaluate(lorkd), 'deployed params': merged.countParams() };
    return out;
  } finally {
    for (const m of models) m.dispose();
    tf.engine().endScope();
  }
}

/**
 * The reproduction: per seed, the four-region table, then (unless --quick or
 * --no-images) the smaller 16x16 image table; `holds` by the rule on the
 * mean over seeds.
 */
export const reproduction = defineReproduction({
  package: '@paperkit/lorkd',
  claim: CLAIM,
  seeds: { full: 3, quick: 1 },
  flags: { images: { type: 'boolean', default: true, description: 'run the 16x16 image table (always skipped with --quick)' } },
  async runSeed({ seed, quick, flags, log }) {
    const cfg = quick ? QUICK : FULL;
    const { metrics, extra } = await runRegionSeed(seed, cfg, log);
    // The image table is the optional, smaller one (spec section 5); --quick skips it to stay under 30 s.
    const tables = flags.images && !quick ? { [IMAGE_TABLE]: await runImageSeed(seed, cfg) } : undefined;
    return { metrics, ...(tables ? { tables } : {}), details: extra };
  },
  decide({ quick, metric }) {
    const cfg = quick ? QUICK : FULL;
    const lorkd = metric('LoRKD', 'mean region acc');
    const mtl = metric('MTL', 'mean region acc');
    const mtlKD = metric('MTL-KD', 'mean region acc');
    const sizeRatio = metric('LoRKD', 'deployed params') / metric('teacher', 'deployed params');
    const eks = metric('EKS train step', 'ms/step');
    const loop = metric('loop train step', 'ms/step');
    const gapMTL = lorkd - mtl;
    const gapKD = lorkd - mtlKD;
    const holds = gapMTL >= 0.04 && gapKD >= 0.02 && sizeRatio <= 0.2;
    const parts = [
      `LoRKD ${lorkd.toFixed(3)} vs MTL ${mtl.toFixed(3)} (${gapMTL >= 0 ? '+' : ''}${gapMTL.toFixed(3)}, need >= +0.04)`,
      `vs MTL-KD ${mtlKD.toFixed(3)} (${gapKD >= 0 ? '+' : ''}${gapKD.toFixed(3)}, need >= +0.02)`,
      `deployed expert / teacher params = ${sizeRatio.toFixed(3)} (need <= 0.2)`,
    ];
    const failed = [gapMTL < 0.04 && 'the MTL gap', gapKD < 0.02 && 'the MTL-KD gap', sizeRatio > 0.2 && 'the size ratio'].filter(Boolean);
    const verdict =
      `${parts.join('; ')}. EKS ${eks.toFixed(2)} ms/step vs per-task loop ${loop.toFixed(2)} ms/step (${eks <= loop ? 'EKS not slower' : 'EKS SLOWER'}).` +
      (holds ? '' : ` Does not hold: ${failed.join(', ')} missed.`) +
      (quick ? ' Quick (smoke-size) run: the rule is meant for the full size.' : '');
    return {
      holds,
      verdict,
      details: {
        specPrototype: SPEC_PROTOTYPE,
        sizes: cfg.sizes,
        studentEpochs: cfg.studentEpochs,
        teacherEpochs: cfg.teacherEpochs,
        imageSizes: cfg.image,
        eksMsPerStep: eks,
        loopMsPerStep: loop,
        eksNotSlower: eks <= loop,
      },
    };
  },
  plot: { metrics: ['mean region acc'] },
});

/** Title of the second table. */
export const IMAGE_TABLE = '16x16 image world, conv experts (smaller table)';
