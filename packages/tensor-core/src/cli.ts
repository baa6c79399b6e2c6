/** The `tensor-core` bin. */
import { runMain } from './cli/run-main.js';
import { cli } from './cli-program.js';

runMain(cli);
