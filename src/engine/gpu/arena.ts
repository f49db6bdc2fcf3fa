/**
 * Buffer arena: buffers are recycled by exact (size, usage) so a training loop that allocates the same
 * activations every step stops allocating after the first one. Tracks bytes live and the peak, which the
 * device panel and the memory planner report.
 */
export class BufferArena {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();
  private live = 0;
  private peak = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const key = `${size}:${usage}`;
    const recycled = this.free.get(key)?.pop();
    const buffer = recycled ?? this.device.createBuffer({ size, usage, label });
    if (!recycled) this.owned.add(buffer);
    this.live += size;
    this.peak = Math.max(this.peak, this.live);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.owned.has(buffer)) return;
    this.live -= buffer.size;
    const key = `${buffer.size}:${buffer.usage}`;
    const list = this.free.get(key) ?? [];
    list.push(buffer);
    this.free.set(key, list);
  }

  /** Frees the recycled (idle) buffers back to the driver. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.owned.delete(buffer);
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  destroyAll(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.clear();
    this.free.clear();
    this.live = 0;
  }

  get bytesLive(): number {
    return this.live;
  }

  get bytesPeak(): number {
    return this.peak;
  }

  get bytesReserved(): number {
    let total = 0;
    for (const buffer of this.owned) total += buffer.size;
    return total;
  }
}
