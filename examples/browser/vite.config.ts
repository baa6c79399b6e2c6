/**
 * The browser example's Vite config. The workspace packages resolve to their
 * sources through the `@paperkit/source` condition (as in the tests, so no
 * build is needed); the page is served cross-origin isolated (COOP + COEP) so
 * tfjs's threaded wasm build can run; `virtual:paperkit-entries` lists every
 * packages/<name> main entry, found when the server starts.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Every workspace package's main entry, as `{ name: () => import(source file) }`. */
function paperkitEntries(): Plugin {
  const id = 'virtual:paperkit-entries';
  return {
    name: 'paperkit-entries',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const lines: string[] = [];
      for (const dir of readdirSync(packagesDir).sort()) {
        const manifest = `${packagesDir}${dir}/package.json`;
        if (!existsSync(manifest)) continue;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, unknown> };
        const main = pkg.exports?.['.'] as Record<string, unknown> | undefined;
        const source = main?.['@paperkit/source'];
        if (typeof source !== 'string') continue;
        lines.push(`  ${JSON.stringify(pkg.name)}: () => import(${JSON.stringify(`${packagesDir}${dir}/${source.replace(/^\.\//, '')}`)}),`);
      }
      return `export const entries = {\n${lines.join('\n')}\n};\n`;
    },
  };
}

export default defineConfig({
  plugins: [paperkitEntries()],
  resolve: { conditions: ['@paperkit/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: isolation },
  optimizeDeps: {
    // Crawl both pages at start-up, so no dependency is discovered (and re-bundled) while a page loads.
    entries: ['index.html', 'entries.html'],
    // Pre-bundled once at start-up, not discovered on the first page load (which would reload the page).
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', ...['seedrandom', 'fflate', 'vega', 'vega-lite'].map((dep) => `@paperkit/tensor-core > ${dep}`)],
  },
  build: {
    target: 'es2022',
    // entries.html is the test's page (it imports every package, Node-only ones included): not part of the site.
    rollupOptions: { input: { main: 'index.html' } },
  },
});
