// Moved to @mlsd/test-utils/serve-artifacts; this re-export keeps tests written against the old
// path (on branches not merged yet) working. New tests import the package.
export {
  buildSmallFraudModel,
  buildTestArtifacts,
  type SmallWorld,
  type TestArtifacts,
  toRequests,
} from '@mlsd/test-utils/serve-artifacts';
