/** onnxruntime-web's side: the exported model on its WebGPU execution provider, the same ids, pooler_output. */
import * as ort from 'onnxruntime-web/webgpu';
// The bundled build of the WebGPU flavour carries its loader; only the WebAssembly file is fetched, from here.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

export interface OrtSide {
  readonly version: string;
  embed(): Promise<Float32Array>;
}

export async function ortSide(onnx: Uint8Array, ids: Uint32Array, batch: number, length: number, pad: number): Promise<OrtSide> {
  // One thread: the page is not cross-origin isolated (no SharedArrayBuffer); the work is on the GPU anyway.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = { wasm: wasmUrl };
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
  const inputIds = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [batch, length]);
  const mask = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => (v === pad ? 0n : 1n)), [batch, length]);
  return {
    version: ort.env.versions.web ?? 'unknown',
    embed: async () => {
      const out = await session.run({ input_ids: inputIds, attention_mask: mask }, ['pooler_output']);
      return (await out.pooler_output!.getData()) as Float32Array;
    },
  };
}
