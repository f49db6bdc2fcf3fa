/**
 * The page's handle on the engine Worker (runs on the page): starts it on first use, posts typed requests and
 * hands every response to the one handler the store installs (store/responses.ts). It imports nothing from the
 * store, so the store can send without an import circle.
 */
import type { WorkerRequest, WorkerResponse } from '../worker/protocol';

let worker: Worker | null = null;
let handle: (message: WorkerResponse) => void = () => undefined;

/** Where responses go (set once at start-up, before the first request). */
export function onWorkerResponse(handler: (message: WorkerResponse) => void): void {
  handle = handler;
}

export function send(request: WorkerRequest): void {
  if (!worker) {
    worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => handle(event.data);
    worker.onerror = (event) => handle({ type: 'error', message: `The engine worker failed to start: ${event.message}` });
  }
  worker.postMessage(request);
}
