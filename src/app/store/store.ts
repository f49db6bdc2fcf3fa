/** The one store, built from slices (one per feature area). */
import { create } from 'zustand';
import { createDeviceSlice, type DeviceSlice } from './deviceSlice';

export type LabState = DeviceSlice;

export const useLab = create<LabState>()((...args) => ({
  ...createDeviceSlice(...args),
}));
