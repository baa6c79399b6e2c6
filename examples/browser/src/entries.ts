/**
 * Imports every paperkit package's main entry (found by the Vite config) and
 * reports which loaded. A main entry that reaches a Node built-in fails here.
 */
import { entries } from 'virtual:paperkit-entries';

const list = document.getElementById('entries')!;
const results: Record<string, { ok: boolean; exports?: number; error?: string }> = {};
for (const [name, load] of Object.entries(entries)) {
  try {
    const module = (await load()) as Record<string, unknown>;
    results[name] = { ok: true, exports: Object.keys(module).length };
  } catch (error) {
    results[name] = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const item = document.createElement('li');
  item.textContent = `${name}: ${results[name].ok ? `${results[name].exports} exports` : `FAILED: ${results[name].error}`}`;
  list.append(item);
}
document.body.dataset.results = JSON.stringify(results);
document.body.dataset.state = 'done';
