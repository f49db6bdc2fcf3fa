/** The name tuning tables are filed under. Apart from the tuner so the page can use it without the kernels. */
import type { AdapterSummary } from '../gpu/device';

/** The adapter's description, else vendor and architecture (some browsers leave the description empty). */
export function adapterKey(adapter: AdapterSummary): string {
  return adapter.description || `${adapter.vendor} ${adapter.architecture}`.trim();
}
