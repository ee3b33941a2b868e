/**
 * The Lua steps of {@link RedisStateStore}. Each touches the keys of one entity (one hash tag,
 * so one Redis Cluster slot) or one transaction's claim, runs atomically there, and does only
 * generic things to packed event records: idempotent insert by transaction id, the lateness
 * check, insertion in time order, trimming by time, returning a time range, rewriting the label
 * bytes at an offset the caller gives. What a feature computes is never written here: the
 * events go back to TypeScript, where the same accumulators as batch evaluate them.
 *
 * An entity is two keys with one tag: `e{…}` a sorted set (score: event time; member: an 8-byte
 * big-endian arrival number then the packed event of its `EventLayout`, so equal times sort in
 * arrival order) and `i{…}` a hash (transaction id → member, and `#seq`, the arrival counter).
 * Times cross the JS/Lua boundary as shortest round-trip decimal texts, which Lua and Redis read
 * back exactly.
 */

/**
 * Records one event of one entity, or finds it already recorded. Returns
 * `{'INSERTED' | 'EXISTING', arrival, member…}` with the members whose time lies in
 * `(time − span, time]`, in order, ending with the event's own; `{'LATE', newest}` having
 * changed nothing when the time is older than the entity's newest event minus the lateness; or
 * `{'CONFLICT'}` having changed nothing when the entity holds the transaction id with another
 * packed event. The comparison leaves out the label bytes (`labelAt`: 1-based offset in the
 * packed event, 0 when the layout keeps no label), which a label recorded since may have
 * rewritten; so `EXISTING` means this very event, and a retry that finds it can complete a
 * transaction whose other steps (or claim) were lost.
 * After an insert, events at least `keep` seconds older than the entity's previous newest event
 * are dropped (no later transaction within the lateness can reach them).
 *
 * KEYS: events, index. ARGV: transaction id, time, packed event, lateness, keep, span, ttl,
 * labelAt, label length.
 */
export const INSERT_EVENT_SCRIPT = `
local events, index = KEYS[1], KEYS[2]
local id, timeText, body = ARGV[1], ARGV[2], ARGV[3]
local lateness, keep, span, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local time = tonumber(timeText)
local member = redis.call('HGET', index, id)
local status = 'EXISTING'
if member then
  local stored = string.sub(member, 9)
  local labelAt, labelBytes = tonumber(ARGV[8]), tonumber(ARGV[9])
  if labelAt > 0 and #stored == #body then
    local after = labelAt + labelBytes
    stored = string.sub(stored, 1, labelAt - 1) .. string.sub(stored, after)
    body = string.sub(body, 1, labelAt - 1) .. string.sub(body, after)
  end
  if stored ~= body then return {'CONFLICT'} end
  time = tonumber(redis.call('ZSCORE', events, member))
else
  status = 'INSERTED'
  local last = redis.call('ZRANGE', events, -1, -1, 'WITHSCORES')
  local newest = last[2] and tonumber(last[2])
  if newest and time < newest - lateness then return {'LATE', last[2]} end
  local arrival = redis.call('HINCRBY', index, '#seq', 1)
  member = struct.pack('>I4I4', math.floor(arrival / 4294967296), arrival % 4294967296) .. body
  redis.call('ZADD', events, timeText, member)
  redis.call('HSET', index, id, member)
  if newest then
    local cutoff = string.format('%.17g', newest - keep)
    local old = redis.call('ZRANGEBYSCORE', events, '-inf', cutoff)
    for i = 1, #old do
      local length = struct.unpack('<H', old[i], 9)
      redis.call('HDEL', index, string.sub(old[i], 11, 10 + length))
    end
    if #old > 0 then redis.call('ZREMRANGEBYSCORE', events, '-inf', cutoff) end
  end
  redis.call('PEXPIRE', events, ttl)
  redis.call('PEXPIRE', index, ttl)
end
local range = redis.call('ZRANGEBYSCORE', events, '(' .. string.format('%.17g', time - span), string.format('%.17g', time))
local reply = {status, string.sub(member, 1, 8)}
for i = 1, #range do
  reply[#reply + 1] = range[i]
  if range[i] == member then break end
end
return reply
`;

/**
 * Removes an event this store inserted (undoing a step of a transaction refused as a whole):
 * only if the transaction id still maps to the member with that arrival number. Returns 1 or 0.
 *
 * KEYS: events, index. ARGV: transaction id, arrival (8 bytes).
 */
export const REMOVE_EVENT_SCRIPT = `
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member or string.sub(member, 1, 8) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], member)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/**
 * Rewrites the label bytes of a recorded event (at `offset` of its packed event) and returns 1,
 * or 0 when the entity no longer holds the transaction.
 *
 * KEYS: events, index. ARGV: transaction id, offset in the packed event, label bytes.
 */
export const SET_LABEL_SCRIPT = `
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member then return 0 end
local score = redis.call('ZSCORE', KEYS[1], member)
if not score then return 0 end
local at = 8 + tonumber(ARGV[2])
local updated = string.sub(member, 1, at) .. ARGV[3] .. string.sub(member, at + 1 + #ARGV[3])
redis.call('ZREM', KEYS[1], member)
redis.call('ZADD', KEYS[1], score, updated)
redis.call('HSET', KEYS[2], ARGV[1], updated)
return 1
`;

/**
 * Claims a transaction id: `NEW` (recorded now, with its fingerprint and entity keys), `SAME`
 * (claimed before with the same fingerprint: a retry) or `DIFFERENT` (another transaction's id).
 *
 * KEYS: claim. ARGV: fingerprint, entity keys (JSON), ttl.
 */
export const CLAIM_SCRIPT = `
local fingerprint = redis.call('HGET', KEYS[1], 'f')
if not fingerprint then
  redis.call('HSET', KEYS[1], 'f', ARGV[1], 'k', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 'NEW'
end
if fingerprint == ARGV[1] then return 'SAME' end
return 'DIFFERENT'
`;

/** Deletes a claim made by a refused transaction (only if it is still that fingerprint's). */
export const RELEASE_CLAIM_SCRIPT = `
if redis.call('HGET', KEYS[1], 'f') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * 1 when the namespace's seeded marker exists (refreshing its TTL when ARGV[1] is `1`), 0 when
 * it is gone (Redis restarted empty, or the namespace expired).
 *
 * KEYS: marker. ARGV: refresh (1/0), ttl.
 */
export const CHECK_MARKER_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;
