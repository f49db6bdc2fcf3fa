/**
 * Device slice: what the engine Worker found (adapter, features, limits), the self-check results, and the GPU
 * memory the engine holds (the training device's arena, sent with every batch of run events).
 */
import type { StateCreator } from 'zustand';
import type { AdapterSummary, GpuFeatures } from '../../engine/gpu/device';
import type { SelfCheckResult } from '../../engine/selfcheck/selfcheck';

export type DeviceStatus = 'probing' | 'ready' | 'unavailable' | 'error';

export interface DeviceSlice {
  deviceStatus: DeviceStatus;
  adapter: AdapterSummary | null;
  features: GpuFeatures | null;
  deviceMessage: string | null;
  selfCheck: readonly SelfCheckResult[] | null;
  selfCheckRunning: boolean;
  memoryLive: number;
  memoryPeak: number;
  setMemory: (live: number, peak: number) => void;
  setAdapter: (adapter: AdapterSummary, features: GpuFeatures) => void;
  setUnavailable: (message: string) => void;
  setDeviceError: (message: string) => void;
  startSelfCheck: () => void;
  setSelfCheck: (results: readonly SelfCheckResult[]) => void;
}

export const createDeviceSlice: StateCreator<DeviceSlice, [], [], DeviceSlice> = (set) => ({
  deviceStatus: 'probing',
  adapter: null,
  features: null,
  deviceMessage: null,
  selfCheck: null,
  selfCheckRunning: false,
  memoryLive: 0,
  memoryPeak: 0,
  setMemory: (live, peak) => set((s) => (s.memoryLive === live && s.memoryPeak === peak ? s : { memoryLive: live, memoryPeak: peak })),
  setAdapter: (adapter, features) => set({ deviceStatus: 'ready', adapter, features, deviceMessage: null }),
  setUnavailable: (message) => set({ deviceStatus: 'unavailable', deviceMessage: message }),
  setDeviceError: (message) => set({ deviceStatus: 'error', deviceMessage: message, selfCheckRunning: false }),
  startSelfCheck: () => set({ selfCheckRunning: true, selfCheck: null }),
  setSelfCheck: (results) => set({ selfCheck: results, selfCheckRunning: false }),
});
