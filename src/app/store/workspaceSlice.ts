/**
 * Workspace slice: what the lab keeps in this browser (the Worker's storage report), how often runs save
 * checkpoints, and whether the restored queue waits for the user (after a reload nothing starts by itself).
 */
import type { StateCreator } from 'zustand';
import { DEFAULT_CHECKPOINT_EVERY } from '../lib/workspace';
import type { StorageReport } from '../worker/protocol';
import type { LabState } from './store';

export interface WorkspaceSlice {
  storage: StorageReport | null;
  checkpointEvery: number;
  /** Queued runs restored by a reload wait until "Start the queue" (or a Resume). */
  queueHeld: boolean;
  /** GiB a run may use at its peak (checked before it starts); null or 0: none given. */
  memoryBudget: number | null;
  setMemoryBudget: (gib: number | null) => void;
  setStorage: (report: StorageReport) => void;
  setCheckpointEvery: (steps: number) => void;
  setQueueHeld: (held: boolean) => void;
}

export const createWorkspaceSlice: StateCreator<LabState, [], [], WorkspaceSlice> = (set) => ({
  storage: null,
  checkpointEvery: DEFAULT_CHECKPOINT_EVERY,
  queueHeld: false,
  memoryBudget: null,
  setMemoryBudget: (memoryBudget) => set({ memoryBudget }),
  setStorage: (storage) => set({ storage }),
  setCheckpointEvery: (checkpointEvery) => set({ checkpointEvery }),
  setQueueHeld: (queueHeld) => set({ queueHeld }),
});
