/**
 * Dataset shards: JSON Lines (plain or gzip), JSON arrays and Parquet, read as streams of code/query examples
 * with a report of what was skipped; deterministic splits and epoch orders; token-length statistics.
 * No DOM and no Node built-ins here: the same code runs in a page, a Worker and Node (`node_source.ts` adds
 * file-system sources for Node only).
 */

export { CODE_FIELDS, ID_FIELDS, QUERY_FIELDS, detectFields } from './fields';
export { labelClasses, MAX_CLASSES, type LabelledSet } from './labels';
export { openShard, readShard, ShardReader, type ReadShardOptions } from './shard';
export { sourceFromBlob, sourceFromBytes } from './sources';
export { shuffleIndices, splitDeterministic, splitIndices, type SplitIndices, type SplitOptions } from './split';
export {
  LENGTH_BIN_EDGES,
  shardStatistics,
  type LengthHistogram,
  type LengthStatistics,
  type ShardStatistics,
  type StatisticsOptions,
} from './stats';
export {
  DataError,
  FieldsNotFound,
  type ByteChunks,
  type Example,
  type FieldMapping,
  type FieldSelection,
  type ShardFormat,
  type ShardProgress,
  type ShardReport,
  type ShardSource,
  type SkippedRecord,
} from './types';
