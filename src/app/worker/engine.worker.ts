/// <reference lib="webworker" />
/**
 * The engine Worker: owns the GPU device so training never blocks the page. It speaks the typed protocol in
 * ./protocol and nothing else.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { describeGpuError, GpuError } from '../../engine/gpu/errors';
import { Runtime } from '../../engine/gpu/runtime';
import { runSelfCheck } from '../../engine/selfcheck/selfcheck';
import type { WorkerRequest, WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let runtime: Promise<Runtime> | null = null;

function post(message: WorkerResponse): void {
  self.postMessage(message);
}

function getRuntime(): Promise<Runtime> {
  runtime ??= acquireDevice(self.navigator.gpu).then((acquired) => {
    const rt = new Runtime(acquired);
    rt.on((event) => {
      const message = event.type === 'device-lost' ? event.message : describeGpuError(event.error);
      post({ type: 'error', message });
    });
    return rt;
  });
  return runtime;
}

async function handle(request: WorkerRequest): Promise<void> {
  const rt = await getRuntime();
  if (request.type === 'probe') post({ type: 'adapter', adapter: rt.adapter, features: rt.features });
  else post({ type: 'selfcheck', results: await runSelfCheck(rt) });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  handle(event.data).catch((error: unknown) => {
    if (error instanceof GpuError && error.kind === 'unavailable') {
      runtime = null;
      post({ type: 'unavailable', message: describeGpuError(error) });
    } else {
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
};
