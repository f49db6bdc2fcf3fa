/**
 * Ctrl-C and SIGTERM during a run: the first asks the trainer to stop after the current step (it then saves a
 * checkpoint and the weights); a second quits at once with exit code 130 (the checkpoint of the stop, or the
 * last one, is already on disk). The handlers are removed when the run ends.
 */
export interface Interrupt {
  readonly requested: () => boolean;
  dispose(): void;
}

export function interruptible(): Interrupt {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write(`lab: ${signal}: stopping after this step and saving a checkpoint and the weights (press Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => count > 0,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
