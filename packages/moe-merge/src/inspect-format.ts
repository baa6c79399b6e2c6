/** Formatting of `moe-merge inspect`'s result (browser-safe; reading the checkpoint is `inspectCheckpoint` in `./node`). */
import { formatTable } from '@paperkit/tensor-core';

export interface InspectRow {
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
  file?: string;
}

export interface InspectResult {
  rows: InspectRow[];
  totalBytes: number;
  config?: Record<string, unknown>;
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function formatInspect(r: InspectResult): string {
  const multiFile = new Set(r.rows.map((x) => x.file)).size > 1;
  const headers = ['tensor', 'dtype', 'shape', 'size', ...(multiFile ? ['file'] : [])];
  const rows = r.rows.map((x) => [x.name, x.dtype, `[${x.shape.join(', ')}]`, formatBytes(x.bytes), ...(multiFile ? [x.file ?? ''] : [])]);
  const lines = [formatTable(headers, rows), `${r.rows.length} tensors, ${formatBytes(r.totalBytes)}`];
  if (r.config) {
    const c = r.config;
    const keys = ['model_type', 'num_hidden_layers', 'hidden_size', 'intermediate_size', 'num_attention_heads', 'num_key_value_heads', 'num_local_experts', 'num_experts_per_tok', 'rope_theta', 'torch_dtype'];
    lines.push(keys.filter((k) => c[k] !== undefined).map((k) => `${k}=${JSON.stringify(c[k])}`).join(' '));
  }
  return lines.join('\n');
}
