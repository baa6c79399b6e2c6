#!/usr/bin/env node
// `node scripts/new-method.mjs <name> ["One-line summary"]`: create a method package of the one
// paperkit shape (docs/contributing.md): packages/<name> with its public API, a reproduction on
// defineReproduction, a CLI on defineCli, a first test, README, LICENSE and build config; plus
// examples/<name>, docs/methods/<name>.md and a changeset. Refuses to overwrite anything.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const [name, summary = 'TODO: the paper in one line'] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-method.mjs <name> ["One-line summary"]   (name: lower-case letters, digits, dashes)');
  process.exit(2);
}
const pkgDir = join(root, 'packages', name);
const exampleDir = join(root, 'examples', name);
for (const dir of [pkgDir, exampleDir]) {
  if (existsSync(dir)) {
    console.error(`${dir} exists already; nothing written`);
    process.exit(2);
  }
}
const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const entry = (file, src) => ({
  '@paperkit/source': src,
  import: { types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` },
  require: { types: `./dist/${file}.d.cts`, default: `./dist/${file}.cjs` },
});

const files = {
  [join(pkgDir, 'package.json')]: `${JSON.stringify({
    name: `@paperkit/${name}`,
    version: '0.0.0',
    description: summary,
    license: 'Apache-2.0',
    type: 'module',
    sideEffects: false,
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    bin: { [name]: `./bin/${name}.mjs` },
    exports: {
      '.': entry('index', './src/index.ts'),
      './reproduce': entry('reproduce', './src/reproduce/index.ts'),
      './package.json': './package.json',
    },
    files: ['dist', 'bin', 'README.md', 'CHANGELOG.md', 'LICENSE'],
    scripts: {
      build: "node -e \"require('fs').rmSync('dist',{recursive:true,force:true})\" && tsup",
      test: `vitest run --root ../.. --project ${name}`,
      typecheck: 'tsc --noEmit -p tsconfig.json',
      'lint:package': 'publint --strict && attw --pack --profile node16',
      cli: 'tsx --conditions=@paperkit/source src/cli.ts',
    },
    dependencies: { '@paperkit/tensor-core': 'workspace:^' },
    peerDependencies: { '@tensorflow/tfjs': '^4.22.0', '@tensorflow/tfjs-backend-wasm': '^4.22.0' },
    devDependencies: { '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' },
    engines: { node: '>=20' },
    publishConfig: { access: 'public' },
    repository: { type: 'git', url: 'git+https://github.com/paperkit/paperkit.git', directory: `packages/${name}` },
  }, null, 2)}\n`,
  [join(pkgDir, 'tsconfig.json')]: `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: '.', noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`,
  [join(pkgDir, 'tsup.config.ts')]: `import { defineConfig } from 'tsup';

// The public entries share chunks (splitting, CJS too), so loading \`.\` and a subpath gives one copy of each module.
export default defineConfig([
  { entry: { index: 'src/index.ts', reproduce: 'src/reproduce/index.ts' }, format: ['esm', 'cjs'], dts: true, splitting: true, target: 'es2022' },
  { entry: ['src/cli.ts'], format: ['esm'], target: 'node20' },
]);
`,
  [join(pkgDir, 'bin', `${name}.mjs`)]: `#!/usr/bin/env node
// The \`${name}\` bin: the built CLI (a committed file, so installs link it before the first build).
await import('../dist/cli.js');
`,
  [join(pkgDir, 'src', 'index.ts')]: `/**
 * @paperkit/${name}: ${summary}
 * Public API only (browser-safe: no Node built-in imported at load); see README.md and docs/methods/${name}.md.
 */

/** TODO: the concept a user touches, one file per concept, named after it. */
export { ${camel}Placeholder } from './${name}.js';
`,
  [join(pkgDir, 'src', `${name}.ts`)]: `/** TODO: replace with the method. Cite the spec section and the paper's equation in the doc comment. */
export function ${camel}Placeholder(x: number): number {
  return x;
}
`,
  [join(pkgDir, 'src', 'reproduce', 'run.ts')]: `/**
 * The spec section 5 reproduction: the method and every baseline the issue names, on the same
 * seeded data, per seed; \`holds\` by the issue's rule on the mean over seeds.
 */
import { defineReproduction } from '@paperkit/tensor-core';
import { ${camel}Placeholder } from '../${name}.js';

export const CLAIM = 'TODO: the issue\\'s rule for holds, in words';

export const reproduction = defineReproduction({
  package: '@paperkit/${name}',
  claim: CLAIM,
  seeds: { full: 5, quick: 1 },
  runSeed({ seed }) {
    return { metrics: { method: { score: ${camel}Placeholder(seed) }, baseline: { score: 0 } } };
  },
  decide({ metric }) {
    const gap = metric('method', 'score') - metric('baseline', 'score');
    return { holds: gap > 0, verdict: \`method - baseline = \${gap.toFixed(3)} (needs > 0)\` };
  },
  plot: { metrics: ['score'] },
});
`,
  [join(pkgDir, 'src', 'reproduce', 'index.ts')]: `/** @paperkit/${name}/reproduce: the spec section 5 reproduction (what \`${name} reproduce\` and \`pnpm demo\` run). */
export { reproduction, CLAIM } from './run.js';
`,
  [join(pkgDir, 'src', 'cli-program.ts')]: `/** The \`${name}\` command line on tensor-core's CLI runner; the bin (./cli.ts) only calls runMain(cli). */
import { defineCli } from '@paperkit/tensor-core/node';
import { reproduction } from './reproduce/run.js';

export const cli = defineCli({
  name: '${name}',
  summary: ${JSON.stringify(summary)},
  reproduction,
});
`,
  [join(pkgDir, 'src', 'cli.ts')]: `/** The \`${name}\` bin. */
import { runMain } from '@paperkit/tensor-core/node';
import { cli } from './cli-program.js';

runMain(cli);
`,
  [join(pkgDir, 'test', 'cli.test.ts')]: `import { describe, expect, it } from 'vitest';
import { cli } from '../src/cli-program.js';

const quiet = { stdout: () => {}, stderr: () => {} };

describe('${name} CLI', () => {
  it('reproduce --help names the common flags', async () => {
    const out: string[] = [];
    expect(await cli.main(['reproduce', '--help'], { ...quiet, stdout: (l) => out.push(l) })).toBe(0);
    for (const flag of ['--quick', '--seeds', '--json', '--plot']) expect(out.join('\\n')).toContain(flag);
  });

  it('an unknown flag exits 2', async () => {
    expect(await cli.main(['reproduce', '--bogus'], quiet)).toBe(2);
  });
});
`,
  [join(pkgDir, 'README.md')]: `# @paperkit/${name}

\`\`\`sh
npm install @paperkit/${name} @paperkit/tensor-core @tensorflow/tfjs @tensorflow/tfjs-backend-wasm
pnpm add @paperkit/${name} @paperkit/tensor-core @tensorflow/tfjs @tensorflow/tfjs-backend-wasm
\`\`\`

${summary}

TODO: the paper in five lines; a quick start (at most 20 lines, calling \`initBackend()\` first) on the
user's own model or data; the API table; the reproduction table with the paper's numbers beside ours and
what the full run cost. Links to the repository's docs are absolute:
[docs/methods/${name}.md](https://github.com/paperkit/paperkit/blob/main/docs/methods/${name}.md).

## Contributing

Inside the monorepo: \`pnpm --filter @paperkit/${name} test\`, \`pnpm --filter @paperkit/${name} typecheck\`,
\`pnpm demo --quick --only=${name}\`.
`,
  [join(pkgDir, 'CHANGELOG.md')]: `# @paperkit/${name}\n`,
  [join(exampleDir, 'package.json')]: `${JSON.stringify({
    name: `example-${name}`,
    private: true,
    type: 'module',
    scripts: { start: 'tsx --conditions=@paperkit/source src/main.ts' },
    dependencies: { [`@paperkit/${name}`]: 'workspace:^', '@paperkit/tensor-core': 'workspace:^', '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' },
  }, null, 2)}\n`,
  [join(exampleDir, 'src', 'main.ts')]: `// TODO: apply @paperkit/${name} to a user's own model or data (not the reproduce code).
import { initBackend } from '@paperkit/tensor-core';
import { ${camel}Placeholder } from '@paperkit/${name}';

await initBackend();
console.log(${camel}Placeholder(1));
`,
  [join(root, 'docs', 'methods', `${name}.md`)]: `# ${name}\n\nTODO: the method, its formulas, the options with the spec's CPU defaults and the paper's values, departures from the official code, and the measured reproduction.\n`,
  [join(root, '.changeset', `${name}-initial.md`)]: `---\n"@paperkit/${name}": minor\n---\n\nFirst release: ${summary}\n`,
};

for (const [path, text] of Object.entries(files)) {
  if (existsSync(path)) {
    console.error(`${path} exists already; skipped`);
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
copyFileSync(join(root, 'LICENSE'), join(pkgDir, 'LICENSE'));
console.log(`created packages/${name}, examples/${name}, docs/methods/${name}.md and .changeset/${name}-initial.md
next: pnpm install, then pnpm --filter @paperkit/${name} test; add the docs page to docs/index.md and a row to the README's table`);
