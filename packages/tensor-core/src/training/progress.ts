/**
 * Progress reporting for long loops: a live bar redrawn in place on an
 * interactive terminal, and a few plain lines (about every 10%) in logs and CI,
 * where a redrawn bar would fill the log with control characters. In a page
 * (no `process`) nothing is written; pass `onUpdate` to drive a progress element.
 */
import { OptionError } from '../errors.js';

/** The part of a Node stream the reporter writes to. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** Advance by `n` (default 1); `info` values are shown next to the bar (e.g. {loss: 0.12}). */
  tick(n?: number, info?: Record<string, number | string>): void;
  /** Finish: draw the final state and release the terminal. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** Show anything at all. Default: true unless env PAPERKIT_PROGRESS is '0' or 'false'. */
  enabled?: boolean;
  /** Where to write. Default process.stderr under Node; nothing in a page. */
  stream?: ProgressStream;
  /** Called on every tick with the work done so far (e.g. to drive a `<progress>` element in a page). */
  onUpdate?: (done: number, total: number, info?: Record<string, number | string>) => void;
  /** Force the live bar (true) or plain lines (false). Default: live bar only when the stream is a TTY and env CI is unset. */
  interactive?: boolean;
}

const SILENT: Progress = { tick() {}, stop() {} };

/** Create a progress reporter for `total` units of work labelled `label`. */
export function createProgress(total: number, label: string, opts: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0) throw new OptionError('total', 'a finite number >= 0', total);
  const env = typeof process !== 'undefined' ? process.env ?? {} : {};
  const envOff = ['0', 'false'].includes((env.PAPERKIT_PROGRESS ?? '').toLowerCase());
  if (!(opts.enabled ?? !envOff) || total === 0) return SILENT;
  const stream = opts.stream ?? (typeof process !== 'undefined' ? process.stderr : undefined);
  const interactive = opts.interactive ?? (stream?.isTTY === true && !env.CI);
  const inner = stream === undefined ? SILENT : interactive ? barProgress(total, label, stream) : lineProgress(total, label, stream);
  const onUpdate = opts.onUpdate;
  if (onUpdate === undefined) return inner;
  let done = 0;
  return {
    tick(n = 1, info) {
      done = Math.min(total, done + n);
      onUpdate(done, total, info);
      inner.tick(n, info);
    },
    stop: () => inner.stop(),
  };
}

/** A bar redrawn in place (carriage return, erase line) at most ~12 times a second, with the ETA. */
function barProgress(total: number, label: string, stream: ProgressStream): Progress {
  const width = 30;
  const start = Date.now();
  let done = 0;
  let info = '';
  let lastDraw = 0;
  let stopped = false;
  const draw = () => {
    lastDraw = Date.now();
    const filled = Math.round((width * done) / total);
    const elapsed = (lastDraw - start) / 1000;
    const eta = done === 0 ? '?' : `${Math.round((elapsed * (total - done)) / done)}s`;
    stream.write(`\r\x1b[2K${label} ${'\u2588'.repeat(filled)}${'\u2591'.repeat(width - filled)} ${done}/${total} | ${elapsed.toFixed(0)}s < ${eta}${info}`);
  };
  draw();
  return {
    tick(n = 1, extra) {
      if (stopped) return;
      done = Math.min(total, done + n);
      if (extra !== undefined) info = formatInfo(extra);
      if (done === total || Date.now() - lastDraw >= 80) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      draw();
      stream.write('\n');
    },
  };
}

function lineProgress(total: number, label: string, stream: ProgressStream): Progress {
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
