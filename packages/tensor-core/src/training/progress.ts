/**
 * Progress reporting for long loops: a live cli-progress bar on an interactive
 * terminal, and a few plain lines (about every 10%) in logs and CI, where a
 * redrawn bar would fill the log with control characters.
 */
import cliProgress from 'cli-progress';
import { OptionError } from '../errors.js';

export interface Progress {
  /** Advance by `n` (default 1); `info` values are shown next to the bar (e.g. {loss: 0.12}). */
  tick(n?: number, info?: Record<string, number | string>): void;
  /** Finish: draw the final state and release the terminal. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** Show anything at all. Default: true unless env PAPERKIT_PROGRESS is '0' or 'false'. */
  enabled?: boolean;
  /** Where to write. Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Force the live bar (true) or plain lines (false). Default: live bar only when the stream is a TTY and env CI is unset. */
  interactive?: boolean;
}

const SILENT: Progress = { tick() {}, stop() {} };

/** Create a progress reporter for `total` units of work labelled `label`. */
export function createProgress(total: number, label: string, opts: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0) throw new OptionError('total', 'a finite number >= 0', total);
  const envOff = ['0', 'false'].includes((process.env.PAPERKIT_PROGRESS ?? '').toLowerCase());
  if (!(opts.enabled ?? !envOff) || total === 0) return SILENT;
  const stream = opts.stream ?? process.stderr;
  const interactive = opts.interactive ?? (stream.isTTY === true && !process.env.CI);
  return interactive ? barProgress(total, label, stream) : lineProgress(total, label, stream);
}

function barProgress(total: number, label: string, stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} | {duration_formatted} < {eta_formatted}{info}`,
      stream,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  let done = 0;
  let stopped = false;
  return {
    tick(n = 1, info) {
      if (stopped) return;
      done = Math.min(total, done + n);
      bar.update(done, info === undefined ? undefined : { info: formatInfo(info) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function lineProgress(total: number, label: string, stream: NodeJS.WriteStream): Progress {
  const start = Date.now();
  let done = 0;
  let lastDecile = 0;
  let lastInfo = '';
  let stopped = false;
  let printed = 0;
  const line = () => {
    printed = done;
    const pct = Math.floor((100 * done) / total);
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    stream.write(`${label}: ${pct}% (${done}/${total}) ${seconds}s${lastInfo}\n`);
  };
  return {
    tick(n = 1, info) {
      if (stopped) return;
      done = Math.min(total, done + n);
      if (info !== undefined) lastInfo = formatInfo(info);
      const decile = Math.floor((10 * done) / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        line();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (printed !== done) line(); // stopped between deciles (error or early stop): say where
    },
  };
}

function formatInfo(info: Record<string, number | string>): string {
  const parts = Object.entries(info).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`);
  return parts.length === 0 ? '' : ` | ${parts.join(' ')}`;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}
