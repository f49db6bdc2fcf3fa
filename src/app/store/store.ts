/** The one store, built from slices (one per feature area). */
import { create } from 'zustand';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createDeviceSlice, type DeviceSlice } from './deviceSlice';
import { createHubSlice, type HubSlice } from './hubSlice';
import { createLayerStudySlice, type LayerStudySlice } from './layerStudySlice';
import { createMemorySlice, type MemorySlice } from './memorySlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createPlaygroundSlice, type PlaygroundSlice } from './playgroundSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createTuningSlice, type TuningSlice } from './tuningSlice';
import { createUiSlice, type UiSlice } from './uiSlice';
import { createWorkspaceSlice, type WorkspaceSlice } from './workspaceSlice';

export type LabState = DeviceSlice & ModelSlice & HubSlice & DataSlice & ConfigSlice & MemorySlice & RunsSlice & UiSlice & TuningSlice & WorkspaceSlice & LayerStudySlice & PlaygroundSlice;

export const useLab = create<LabState>()((set, get, api) => ({
  ...createDeviceSlice(set, get, api),
  ...createModelSlice(set, get, api),
  ...createHubSlice(set, get, api),
  ...createDataSlice(set, get, api),
  ...createConfigSlice(set, get, api),
  ...createMemorySlice(set, get, api),
  ...createRunsSlice(set, get, api),
  ...createUiSlice(set, get, api),
  ...createTuningSlice(set, get, api),
  ...createWorkspaceSlice(set, get, api),
  ...createLayerStudySlice(set, get, api),
  ...createPlaygroundSlice(set, get, api),
}));

useLab.getState().revalidate();
