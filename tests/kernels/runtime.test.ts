import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/engine/gpu/node';
import { GpuError } from '../../src/engine/gpu/errors';
import { clear, copy, copyInto, grid1d, type RuntimeEvent } from '../../src/engine/gpu/runtime';
import { add } from '../../src/engine/kernels/add';
import { testRuntime } from '../helpers/gpu';

describe('GPU runtime', () => {
  it('requests the adapter limits and reports features', async () => {
    const rt = await testRuntime();
    expect(rt.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
    expect(rt.adapter.architecture.toLowerCase()).toContain('swiftshader');
    expect(rt.features.subgroups).toBe(rt.device.features.has('subgroups'));
  });

  it('caches pipelines by shader, entry point, constants and layout', async () => {
    const rt = await testRuntime();
    const t = (n: number) => rt.tensor([n], 't');
    const before = rt.pipelines.size;
    add(rt, t(10), t(10), t(10));
    add(rt, t(10), t(10), t(10));
    expect(rt.pipelines.size).toBe(before + 1);
    add(rt, t(11), t(11), t(11));
    expect(rt.pipelines.size).toBe(before + 2);
  });

  it('views bind their own range; clear zeroes only its view; several dispatches share one submission', async () => {
    const rt = await testRuntime();
    const src = rt.tensorFrom(Float32Array.from({ length: 128 }, (_, i) => i + 1), [128], 'src');
    const dst = rt.tensorFrom(new Float32Array(192).fill(-1), [192], 'dst');
    const srcTail = rt.view(src, 64, [64], 'src.tail');
    const dstMiddle = rt.view(dst, 64, [64], 'dst.middle');
    const dstTail = rt.view(dst, 128, [64], 'dst.tail');
    const [got, copied] = await rt.run([add(rt, dstMiddle, srcTail, srcTail), clear(dstTail), copy(rt.view(src, 0, [64], 'src.head'), dstMiddle)], [dst, src]);
    expect(copied![0]).toBe(2 * 65);
    expect(copied![64]).toBe(65);
    expect(got![63]).toBe(-1);
    expect(got![64]).toBe(2 * 65);
    expect(got![127]).toBe(2 * 128);
    expect(got![128]).toBe(0);
    expect(got![191]).toBe(0);
    const [into] = await rt.run([copyInto(src, 3, rt.tensorFrom(Float32Array.of(-7, -8, -9), [3], 'three'), 2)], [src]);
    expect([...into!.subarray(2, 6)]).toEqual([copied![2], -7, -8, copied![5]]);
    expect(() => copyInto(src, 127, dst, 2)).toThrow(/do not fit/);
    // WebGPU tracks usage per buffer, not per range: a dispatch may not write one view and read another of the
    // same buffer. The engine keeps what a kernel writes and what it reads in different buffers.
    await expect(rt.run([add(rt, dstTail, dstMiddle, dstMiddle)])).rejects.toMatchObject({ kind: 'validation' });
    expect(() => rt.view(dst, 3, [4], 'unaligned')).toThrow(GpuError);
    expect(() => rt.view(dst, 128, [128], 'too long')).toThrow(/runs past the end/);
  });

  it('reports a validation error as a readable GpuError instead of failing silently', async () => {
    const rt = await testRuntime();
    const error = await rt
      .capture('allocating', () => rt.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }))
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('validation');
    expect((error as GpuError).message).toMatch(/while allocating/);
  });

  it('turns device loss into an event and a rejected run, not a hang', async () => {
    const rt = await createNodeRuntime();
    const events: RuntimeEvent[] = [];
    rt.on((e) => events.push(e));
    const t = rt.tensor([4], 't');
    rt.device.destroy();
    await expect(rt.read(t)).rejects.toMatchObject({ kind: 'device-lost' });
    expect(events.some((e) => e.type === 'device-lost')).toBe(true);
    expect(rt.isLost).toBe(true);
  });

  it('forks share the device and pipelines, and releaseAll() frees only the fork\'s buffers', async () => {
    const rt = await testRuntime();
    const fork = rt.fork();
    expect(fork.device).toBe(rt.device);
    expect(fork.pipelines).toBe(rt.pipelines);
    const kept = rt.tensorFrom(Float32Array.of(1, 2, 3), [3], 'kept');
    const a = fork.tensorFrom(Float32Array.of(4, 5, 6), [3], 'a');
    const out = fork.tensor([3], 'out');
    const [sum] = await fork.run([add(fork, out, a, kept)], [out]);
    expect([...sum!]).toEqual([5, 7, 9]);
    expect(fork.arena.bytesReserved).toBeGreaterThan(0);
    fork.releaseAll();
    expect(fork.arena.bytesReserved).toBe(0);
    expect([...(await rt.read(kept))]).toEqual([1, 2, 3]);
  });

  it('splits large 1-D launches into a 2-D grid within the per-dimension limit', () => {
    expect(grid1d(256 * 65535, 256)).toEqual([65535, 1, 1]);
    const [x, y] = grid1d(256 * 65535 + 1, 256);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y * 256).toBeGreaterThanOrEqual(256 * 65535 + 1);
  });
});
