/** Bin entry of `divil`: runs cli-program.ts and sets the exit code (2 bad input, 1 unexpected). */
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
