// Moved to @mlsd/test-utils/feature-streams; this re-export keeps tests written against the old
// path (on branches not merged yet) working. New tests import the package.
export {
  featureArbitrary,
  fittedOn,
  lateArrivals,
  rowOf,
  STREAM_START,
  type StreamEvent,
  sortedByTime,
  specArbitrary,
  streamArbitrary,
  streamRecord,
  streamTable,
} from '@mlsd/test-utils/feature-streams';
