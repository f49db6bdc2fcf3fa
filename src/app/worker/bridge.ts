/** The page's side of the engine Worker: sends typed requests, turns responses into store actions. */
import { useLab } from '../store/store';
import type { WorkerRequest, WorkerResponse } from './protocol';

let worker: Worker | null = null;

function onResponse(message: WorkerResponse): void {
  const state = useLab.getState();
  switch (message.type) {
    case 'adapter':
      state.setAdapter(message.adapter, message.features);
      break;
    case 'unavailable':
      state.setUnavailable(message.message);
      break;
    case 'selfcheck':
      state.setSelfCheck(message.results);
      break;
    case 'error':
      state.setDeviceError(message.message);
      break;
  }
}

export function send(request: WorkerRequest): void {
  if (!worker) {
    worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => onResponse(event.data);
    worker.onerror = (event) => useLab.getState().setDeviceError(`The engine worker failed to start: ${event.message}`);
  }
  worker.postMessage(request);
}

export function probeDevice(): void {
  if (!('gpu' in navigator)) {
    useLab.getState().setUnavailable('This browser has no WebGPU (navigator.gpu is missing).');
    return;
  }
  send({ type: 'probe' });
}

export function runSelfCheck(): void {
  useLab.getState().startSelfCheck();
  send({ type: 'selfcheck' });
}
