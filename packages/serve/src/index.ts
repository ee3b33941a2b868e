/**
 * @mlsd/serve: the real-time HTTP service — fraud scoring and similar-image lookup over
 * fastify, Prometheus metrics, hot reload, and the fraud online state in process or in Redis.
 * @packageDocumentation
 */
export {};
