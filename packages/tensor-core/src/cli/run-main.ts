/**
 * What a bin file does: run the CLI on `process.argv` and exit with its code.
 * The exit is forced on the next turn of the event loop, so a handle a library
 * left open (a worker, a timer) cannot keep a finished command alive.
 */
import type { Cli } from './define-cli.js';

export function runMain(cli: Cli, argv: readonly string[] = process.argv.slice(2)): void {
  cli.main(argv).then(
    (code) => exit(code),
    (error: unknown) => {
      console.error(error);
      exit(1);
    },
  );
}

function exit(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 0).unref();
}
