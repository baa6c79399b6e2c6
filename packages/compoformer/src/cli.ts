/** The `compoformer` bin. */
import { runMain } from '@paperkit/tensor-core/node';
import { cli } from './cli-program.js';

runMain(cli);
