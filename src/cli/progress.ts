/**
 * Training progress on stderr: on a terminal one bar redrawn in place (step, %, loss, throughput, ETA), with
 * evaluations printed above it; elsewhere (a log file, a CI job) plain lines every 10 steps, each with its ETA.
 */
import type { TrainerEvent } from '../engine/train/events';

/** Where progress goes: stderr, or a test's recorder. */
export interface ProgressOut {
  readonly isTTY: boolean;
  readonly columns: number;
  write(text: string): void;
}

/** "45s", "3m12s", "1h02m": the time left, rounded to what a reader needs. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A step event's numbers the progress shows. */
export type StepNumbers = Pick<Extract<TrainerEvent, { type: 'step' }>, 'step' | 'loss' | 'lr' | 'grad_norm' | 'tokens_per_s' | 'elapsed_ms'>;

const REDRAW_MS = 100;
const BAR = 20;

export class TrainProgress {
  private total = 0;
  private first = 0;
  private shown = '';
  private lastDraw = 0;

  constructor(private readonly out: ProgressOut) {}

  /** `resumedFrom`: steps done before this process (the ETA counts this process's pace only). */
  start(total: number, resumedFrom: number): void {
    this.total = total;
    this.first = resumedFrom;
  }

  step(e: StepNumbers): void {
    const { step } = e;
    const rate = (step - this.first) / Math.max(e.elapsed_ms / 1000, 1e-9);
    const eta = formatEta((this.total - step) / rate);
    if (!this.out.isTTY) {
      const line = `step ${step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  grad_norm ${e.grad_norm.toFixed(3)}  ${Math.round(e.tokens_per_s)} tok/s  ETA ${eta}`;
      if (step % 10 === 0 || step === 1) this.out.write(`${line}\n`);
      return;
    }
    const numbers = `loss ${e.loss.toFixed(4)}  ${Math.round(e.tokens_per_s)} tok/s  ETA ${eta}`;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && step < this.total) return;
    this.lastDraw = now;
    const done = Math.round((BAR * step) / Math.max(this.total, 1));
    this.draw(`step ${step}/${this.total} [${'#'.repeat(done)}${'.'.repeat(BAR - done)}] ${Math.floor((100 * step) / Math.max(this.total, 1))}%  ${numbers}`);
  }

  /** A line of its own (an evaluation), above the bar. */
  line(text: string): void {
    if (!this.out.isTTY) return this.out.write(`${text}\n`);
    const bar = this.shown;
    this.clear();
    this.out.write(`${text}\n`);
    if (bar) this.draw(bar);
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  end(): void {
    if (this.out.isTTY && this.shown) this.out.write('\n');
    this.shown = '';
  }

  private draw(text: string): void {
    const fitted = text.slice(0, Math.max(this.out.columns - 1, 20));
    this.out.write(`\r${fitted.padEnd(this.shown.length)}`);
    this.shown = fitted;
  }

  private clear(): void {
    if (this.shown) this.out.write(`\r${' '.repeat(this.shown.length)}\r`);
    this.shown = '';
  }
}
