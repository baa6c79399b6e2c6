/**
 * A user's view of BalDistill: a support team routes tickets from six product lines to one of five queues.
 * Tickets are already embedded (24-d vectors from our own encoder). Two product lines produce almost all
 * tickets; four are rare. A large routing model (our "teacher", here any async function: in production it
 * would be an LLM behind openAITeacher) costs money per call, so we may ask it about 300 tickets only.
 * We distil it into a small tfjs model (tf.sequential) and compare BalDistill-A with random selection,
 * keeping the run resumable in a state directory.
 *
 * Run: pnpm --filter example-baldistill start
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { classifierStudent, runBalDistill, type Example, type Teacher } from '@paperkit/baldistill';
import { directoryStateStore } from '@paperkit/baldistill/node';

await initBackend();
const rng = createRng(7);
const DIM = 24;
const QUEUES = 5;
const lines = ['billing', 'login', 'exports', 'api', 'mobile', 'sso'];
const volume = [900, 400, 40, 25, 15, 10]; // tickets per product line: a long tail

// --- Our data: each product line has its own ticket cluster and its own routing rule.
const centre = lines.map(() => rng.normalArray(DIM, 0, 1.2));
const rule = lines.map(() => rng.normalArray(DIM * QUEUES));
const route = (x: number[], p: number) => {
  let best = 0;
  let bestV = -Infinity;
  for (let q = 0; q < QUEUES; q++) {
    let v = 0;
    for (let j = 0; j < DIM; j++) v += rule[p][q * DIM + j] * x[j];
    if (v > bestV) (bestV = v), (best = q);
  }
  return best;
};
const ticket = (p: number) => Array.from(centre[p], (c) => c + rng.normal());
type Ticket = { vec: number[]; line: number };
const pool: Example<Ticket, number>[] = volume.flatMap((n, p) =>
  Array.from({ length: n }, (_, k) => ({ id: `${lines[p]}-${k}`, domain: lines[p], input: { vec: ticket(p), line: p } })),
);
const test = lines.flatMap((_, p) => Array.from({ length: 100 }, () => ({ vec: ticket(p), line: p })));

// --- The expensive teacher: routes a ticket (the "rationale" is which product rule fired), and can
// write new tickets for a product line (e.g. an LLM asked for realistic examples).
let paidCalls = 0;
const teacher: Teacher<Ticket, number, number> = {
  async annotate(ex) {
    paidCalls++;
    return { rationale: ex.input.line, answer: route(ex.input.vec, ex.input.line) };
  },
  async synthesize(domain, _demos, n) {
    paidCalls += n;
    const p = lines.indexOf(domain);
    return Array.from({ length: n }, (_, k) => {
      const vec = ticket(p);
      return { id: `${domain}-new-${k}`, domain, input: { vec, line: p }, rationale: p, answer: route(vec, p), synthetic: true };
    });
  },
};

// --- Our student: a plain tf.sequential model on [embedding, onehot(product line)].
const features = (t: Ticket) => [...t.vec, ...lines.map((_, p) => (p === t.line ? 1 : 0))];
const makeStudent = () =>
  classifierStudent<Ticket>({
    inputDim: DIM + lines.length,
    answerClasses: QUEUES,
    rationaleClasses: lines.length,
    featurize: features,
    // A fresh network per stage, its initialisers seeded from the stage seed (same seed, same run).
    createNet: (seed) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [DIM + lines.length], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
          tf.layers.dense({ units: lines.length + QUEUES, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      }),
    steps: 250,
  });

async function perLineAccuracy(student: ReturnType<typeof makeStudent>) {
  const pred = await student.predict(test);
  return lines.map((_, p) => test.filter((t, k) => t.line === p && pred[k] === route(t.vec, p)).length / 100);
}

const stateDir = await mkdtemp(join(tmpdir(), 'baldistill-example-'));
for (const policy of ['random', 'adaptive'] as const) {
  paidCalls = 0;
  const { student, ledger } = await runBalDistill({
    pool, teacher, student: makeStudent(), budget: 300, stages: 3, policy, seed: 1,
    store: directoryStateStore(join(stateDir, policy)), // kill it and run again: it resumes, no call paid twice
    log: (line) => console.log(`  ${line}`),
  });
  const acc = await perLineAccuracy(student);
  console.log(`${policy.padEnd(8)} ${ledger.spent} teacher calls (${paidCalls} paid); accuracy per product line:`);
  console.log('  ' + lines.map((l, p) => `${l} ${acc[p].toFixed(2)}`).join('  '));
  student.dispose();
}
await rm(stateDir, { recursive: true, force: true });
