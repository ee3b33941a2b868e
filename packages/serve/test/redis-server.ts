// Moved to @mlsd/test-utils/redis-server; this re-export keeps tests written against the old
// path (on branches not merged yet) working. New tests import the package.
export {
  REDIS_SERVER_BINARY,
  type RedisServerHandle,
  startRedisServer,
  useRedisServer,
} from '@mlsd/test-utils/redis-server';
