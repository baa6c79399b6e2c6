import { cli } from './cli-program.js';

cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
