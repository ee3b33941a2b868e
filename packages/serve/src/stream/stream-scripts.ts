/**
 * The Lua steps of the partitioned transaction stream. Each touches the keys of one partition
 * only (one hash tag, so one Redis Cluster slot), declares every key it touches in KEYS, and
 * holds no fraud logic: appending entries, fencing by lease, acknowledging and writing the
 * decision together.
 */

/**
 * Appends entries to one partition in the order given, atomically (a retried batch never
 * interleaves with another).
 * KEYS[1] the partition's input stream.
 * ARGV[1] MAXLEN (approximate) or '0' for none; then per entry: the field count f, then f
 * field/value pairs' texts (2f values).
 * Returns the id of the last entry added.
 */
export const APPEND_SCRIPT = `
local maxlen = tonumber(ARGV[1])
local i = 2
local last = false
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local args = {}
  if maxlen > 0 then
    args[1] = 'MAXLEN'; args[2] = '~'; args[3] = ARGV[1]
  end
  args[#args + 1] = '*'
  for j = 1, 2 * n do args[#args + 1] = ARGV[i + j] end
  last = redis.call('XADD', KEYS[1], unpack(args))
  i = i + 1 + 2 * n
end
return last
`;

/**
 * Writes the decisions of a batch of one partition's entries and acknowledges them, in one
 * atomic step, fenced by the partition's lease: a consumer that lost its lease (paused past it,
 * or cut off) writes nothing.
 * KEYS[1] input stream, KEYS[2] alerts stream, KEYS[3] lease, KEYS[3 + i] the decided-guard of
 * entry i.
 * ARGV[1] group, ARGV[2] the lease holder, ARGV[3] guard TTL (s), ARGV[4] alerts MAXLEN or '0';
 * then per entry: its id, the field count f, and 2f field/value texts of its decision.
 * Per entry, in order: XACK; when it was not pending any more (acknowledged already: its
 * decision exists) → 'STALE'; else when the guard is set (another entry of the same
 * transaction was decided) → 'DUP <alert id>'; else XADD the decision, set the guard →
 * '<alert id>'. Returns {'LOST'} when the lease is not the caller's, else the per-entry list.
 */
export const DECIDE_SCRIPT = `
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return {'LOST'} end
local maxlen = tonumber(ARGV[4])
local out = {}
local i = 5
local e = 0
while i <= #ARGV do
  e = e + 1
  local id = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  if redis.call('XACK', KEYS[1], ARGV[1], id) == 0 then
    out[e] = 'STALE'
  else
    local prior = redis.call('GET', KEYS[3 + e])
    if prior then
      out[e] = 'DUP ' .. prior
    else
      local args = {}
      if maxlen > 0 then
        args[1] = 'MAXLEN'; args[2] = '~'; args[3] = ARGV[4]
      end
      args[#args + 1] = '*'
      for j = 1, 2 * n do args[#args + 1] = ARGV[i + 1 + j] end
      local alert = redis.call('XADD', KEYS[2], unpack(args))
      redis.call('SET', KEYS[3 + e], alert, 'EX', ARGV[3])
      out[e] = alert
    end
  end
  i = i + 2 + 2 * n
end
return out
`;

/**
 * Reads new entries of a partition for the consumer holding its lease (XREADGROUP … >, no
 * BLOCK), or takes over pending entries (XAUTOCLAIM … 0 <cursor>), fenced by the lease: a
 * consumer that lost its lease reads nothing, so no entry is delivered to it after its
 * successor claimed what it held (which would strand that entry behind newer ones).
 * KEYS[1] input stream, KEYS[2] lease. ARGV[1] holder, ARGV[2] group, ARGV[3] consumer,
 * ARGV[4] count, ARGV[5] '>' to read new entries, or the XAUTOCLAIM cursor to claim.
 * Returns {'LOST'}; or for a read, the entries ({} when none); for a claim,
 * {next cursor, entries}.
 */
export const FENCED_READ_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'LOST'} end
if ARGV[5] == '>' then
  local reply = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[3], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], '>')
  if not reply then return {} end
  return reply[1][2]
end
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[2], ARGV[3], 0, ARGV[5], 'COUNT', ARGV[4])
return {claimed[1], claimed[2]}
`;

/**
 * Extends a lease held by the caller. KEYS[1] lease; ARGV[1] holder, ARGV[2] ms.
 * Returns 1 when extended, 0 when the lease is someone else's or gone.
 */
export const RENEW_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Gives a lease up if the caller holds it. KEYS[1] lease; ARGV[1] holder. Returns 1 or 0. */
export const RELEASE_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
