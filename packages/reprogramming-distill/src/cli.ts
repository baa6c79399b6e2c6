import { cli } from './cli-program.js';

process.exitCode = await cli.main(process.argv.slice(2));
