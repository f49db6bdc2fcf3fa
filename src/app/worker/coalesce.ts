/**
 * Trainer events to the page in batches: at thousands of steps per second one postMessage per step would
 * flood the page's event loop. Step events wait up to `intervalMs`; anything else (start, eval, done, error)
 * flushes at once, so the page never shows an evaluation late.
 */
import type { TrainerEvent } from '../../engine/train/events';

export class EventBatcher {
  private buffer: TrainerEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (events: TrainerEvent[]) => void,
    private readonly intervalMs = 50,
  ) {}

  push(event: TrainerEvent): void {
    this.buffer.push(event);
    if (event.type !== 'step') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    this.send(events);
  }
}
