/**
 * `tensor-core` bin: `backend` reports which tfjs backend runs here and why;
 * `reproduce` runs the self-check that `pnpm demo` shows beside the methods.
 */
import { initBackend } from './backend/init-backend.js';
import { parseReproduceArgs, finishReproduction, REPRODUCE_USAGE } from './report/reproduce-cli.js';
import { selfCheck } from './self-check.js';
import { PaperkitError } from './errors.js';

const HELP = `usage: tensor-core <command>

commands:
  backend                 initialise the fastest available tfjs backend and report what was tried
  ${REPRODUCE_USAGE}
                          train a small MLP on two spirals and check it learns

environment:
  PAPERKIT_BACKEND        force a backend: tfjs-node-gpu | tfjs-node | wasm | cpu
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    console.log(HELP);
    return 0;
  }
  if (command === 'backend') {
    const info = await initBackend({ quiet: true });
    console.log(`backend: ${info.name} (from ${info.source})`);
    for (const t of info.tried) console.log(`  ${t.error ? 'no ' : 'yes'} ${t.source}${t.error ? `: ${t.error}` : ''}`);
    return 0;
  }
  if (command === 'reproduce') {
    const args = parseReproduceArgs(rest, { defaultSeeds: 3 });
    const result = await selfCheck({ quick: args.quick, seeds: args.seeds });
    await finishReproduction(result, args);
    return 0;
  }
  console.error(`unknown command "${command}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof PaperkitError ? `error: ${error.message}` : error);
    process.exit(error instanceof PaperkitError ? 2 : 1);
  },
);
