/**
 * Hub slice: the download of a model by its Hub id (progress, how it ended, whether it came from the cache)
 * and the Worker's cached-models listing. The model itself lands in the model slice, as a dropped folder's does.
 */
import type { StateCreator } from 'zustand';
import type { HubErrorKind, HubLoadProgress } from '../../engine/hub';
import type { HubCacheListing } from '../worker/protocol';
import type { LabState } from './store';

export type HubStatus = 'idle' | 'downloading' | 'downloaded' | 'cancelled' | 'error';

export interface HubDownloaded {
  readonly modelId: string;
  readonly fromCache: boolean;
  readonly bytes: number;
}

export interface HubSlice {
  hubStatus: HubStatus;
  hubProgress: HubLoadProgress | null;
  hubDownloaded: HubDownloaded | null;
  hubWarnings: readonly string[];
  hubError: string | null;
  hubCache: HubCacheListing | null;
  startHubDownload: () => void;
  setHubProgress: (progress: HubLoadProgress) => void;
  setHubDownloaded: (done: HubDownloaded, warnings: readonly string[]) => void;
  setHubError: (kind: HubErrorKind | 'other', message: string) => void;
  setHubCache: (listing: HubCacheListing) => void;
}

export const createHubSlice: StateCreator<LabState, [], [], HubSlice> = (set) => ({
  hubStatus: 'idle',
  hubProgress: null,
  hubDownloaded: null,
  hubWarnings: [],
  hubError: null,
  hubCache: null,
  startHubDownload: () => set({ hubStatus: 'downloading', hubProgress: null, hubDownloaded: null, hubWarnings: [], hubError: null }),
  // Late progress from a download that already ended (cancelled, failed) must not bring the bar back.
  setHubProgress: (progress) => set((s) => (s.hubStatus === 'downloading' ? { hubProgress: progress } : {})),
  setHubDownloaded: (done, warnings) => set({ hubStatus: 'downloaded', hubDownloaded: done, hubWarnings: warnings, hubError: null }),
  // A cancel keeps the pieces received so far, so it is not an error: the next Download resumes.
  setHubError: (kind, message) => set(kind === 'aborted' ? { hubStatus: 'cancelled', hubError: null } : { hubStatus: 'error', hubError: message }),
  setHubCache: (hubCache) => set({ hubCache }),
});
