import { useEffect, useState, type RefObject } from 'react';

/**
 * The element's content width, kept by a ResizeObserver. A fixed-size chart renders once per data change;
 * recharts' ResponsiveContainer would render it twice on mount (at size 0, then measured).
 */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
