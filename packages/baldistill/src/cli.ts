/** Bin entry of `baldistill` (the commands are in cli-program.ts). */
import { runMain } from '@paperkit/tensor-core/node';
import { cli } from './cli-program.js';

runMain(cli);
