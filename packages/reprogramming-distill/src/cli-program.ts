/**
 * The `reprogramming-distill` command line on tensor-core's CLI runner (Node only):
 * `reproduce` (spec section 5) and `cka` (every CKA estimate between two saved feature
 * matrices, e.g. to choose which teacher layer to tap). The bin (./cli.ts) only calls runMain(cli).
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { FormatError, ShapeError, formatTable, initBackend, readNpy } from '@paperkit/tensor-core';
import { defineCli } from '@paperkit/tensor-core/node';
import { ckaReport } from './cka-report.js';
import { reproduction } from './reproduce/index.js';

async function loadMatrix(path: string): Promise<tf.Tensor2D> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new FormatError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const array = readNpy(bytes, { source: path });
  if (array.shape.length !== 2) throw new ShapeError(path, '[n, p] (a 2-D .npy feature matrix)', array.shape);
  return tf.tensor2d(Float32Array.from(array.data as ArrayLike<number>, Number), array.shape as [number, number]);
}

export const cli = defineCli({
  name: 'reprogramming-distill',
  summary: 'Reprogramming Distillation (MICCAI 2024): a frozen foundation model, reprogrammed, distilled into a small tfjs student with KL + CKA.',
  reproduction,
  commands: {
    cka: {
      summary: 'CKA (linear biased/unbiased, RBF, minibatch) between two .npy feature matrices with paired rows',
      positionals: [
        { name: 'a', description: 'features A, a 2-D .npy [n, p]' },
        { name: 'b', description: 'features B, a 2-D .npy [n, q] (same rows)' },
      ],
      flags: { batch: { type: 'integer', min: 4, default: 256, description: 'minibatch size of the minibatch CKA' } },
      async run({ flags, args, log }) {
        await initBackend({ quiet: true });
        const a = await loadMatrix(args.a);
        const b = await loadMatrix(args.b).catch((error: unknown) => {
          a.dispose();
          throw error;
        });
        try {
          const r = ckaReport(a, b, flags.batch);
          log(formatTable(['estimate', 'value'], [
            ['rows', r.rows], ['linear CKA (biased)', r.linear], ['linear CKA (unbiased)', r.linearUnbiased ?? '-'],
            ['RBF CKA (median bandwidth)', r.rbf], ['minibatch CKA', r.minibatch ?? '-'],
          ]));
        } finally {
          tf.dispose([a, b]);
        }
        return 0;
      },
    },
  },
});
