// Moved to @mlsd/test-utils/http; this re-export keeps tests written against the old path (on
// branches not merged yet) working. New tests import the package.
export { eventually, metricValue, multipartBody } from '@mlsd/test-utils/http';
