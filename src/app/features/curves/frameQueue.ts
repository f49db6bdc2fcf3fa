/**
 * Charts take turns: recharts redraws synchronously (its own store), so five charts updated together make one
 * long task. Queued updates run one per animation frame, each in a task of its own.
 */
const queue: (() => void)[] = [];
let scheduled = false;

function runOne(): void {
  queue.shift()?.();
  if (queue.length > 0) requestAnimationFrame(runOne);
  else scheduled = false;
}

export function enqueueFrame(update: () => void): void {
  queue.push(update);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(runOne);
  }
}
