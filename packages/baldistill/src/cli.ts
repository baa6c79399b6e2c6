/** Bin entry of `baldistill`: runs cli-program.ts and sets the exit code (2 bad input, 1 anything else). */
import { cli } from './cli-program.js';

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
