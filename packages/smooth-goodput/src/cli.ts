/**
 * Bin entry of `smooth-goodput`: runs the command line in cli-program.ts and sets the exit
 * code (2 for bad input, 1 for anything unexpected).
 */
import { main } from './cli-program.js';

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
