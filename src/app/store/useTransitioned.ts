/**
 * A store selection that reaches React inside a transition. Zustand's hook renders synchronously on every
 * store update (React renders external stores without yielding); big subtrees (the runs table, the charts'
 * legend) subscribe through this instead, so their renders can be sliced and never hold the main thread.
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import { useLab, type LabState } from './store';

export function useTransitioned<T>(select: (s: LabState) => T, equal: (a: T, b: T) => boolean = Object.is): T {
  const [value, setValue] = useState(() => select(useLab.getState()));
  const selectRef = useRef(select);
  selectRef.current = select;
  useEffect(() => {
    let last = selectRef.current(useLab.getState());
    startTransition(() => setValue(last));
    return useLab.subscribe((s) => {
      const next = selectRef.current(s);
      if (equal(next, last)) return;
      last = next;
      startTransition(() => setValue(next));
    });
    // One subscription for the component's life: the selector is read through the ref, `equal` is fixed.
  }, [equal]);
  return value;
}
