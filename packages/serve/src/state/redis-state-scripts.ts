/**
 * Lua scripts of {@link RedisStateStore}: each runs atomically inside Redis, so one
 * transaction's whole update (duplicate check, append, window slide, eviction, sweep) is never
 * interleaved with another's, whichever replica sent it.
 *
 * Layout under a namespace prefix `mlsd:<namespace>:`:
 * - `meta` (hash): `clock` and `lastSweep` (the time texts as sent, exact), `entities`, `events`;
 * - `e:<column>:<id>` (hash), one per live entity: `h` head and `t` tail positions, `c` the
 *   window cursors packed as little-endian doubles (6 per window, the layout of
 *   `SlidingWindow`), `g` the generation (id of the transaction that created the entity, `s`
 *   for seeded ones), and one field per live event, named by its decimal position, holding
 *   `<ddB` = time, amount, label;
 * - `seen:<column>` (sorted set): entity id by the time of its newest event, for the sweep;
 * - `tx:<transactionId>` (string): `<id> <generation> <position>` per entity column, `- - -`
 *   for a column that no longer holds it, for duplicate checks and late labels;
 * - `seeded` (string): marker holding the spec the namespace was seeded for.
 *
 * Every key has a TTL (wall clock): entity hashes, transaction records and `meta` are refreshed
 * by each update that touches them, the `seen` sets when they gain an entity, the marker and the
 * sets at every sweep. Idle entities are normally removed earlier by the sweep, on the
 * transactions' own clock as in the in-process state, which keeps `entities` and `events` exact.
 *
 * A script is atomic as long as its writes succeed: run Redis with
 * `maxmemory-policy noeviction` (evicting keys, which all carry TTLs, would silently lose
 * windows) and enough memory, since a write refused half-way through a script is not undone.
 *
 * Doubles cross the JS/Lua boundary either as shortest round-trip decimal texts (ARGV, which
 * Lua's strtod reads back exactly) or packed with `struct` (replies and stored cursors), never
 * through Lua's `tostring`, which keeps only 14 digits. The slide below is a line-by-line
 * transcription of `SlidingWindow.slide` (Neumaier-compensated running sums, removals before
 * additions, exact zeros when a window empties): Lua numbers are IEEE doubles, so it performs
 * the same operations in the same order and yields bit-identical sums.
 */

/**
 * Records one transaction and returns `{'OK', cursor₁, …, cursor_E}` (packed doubles per entity
 * column), or `{'DUPLICATE'}`, or `{'OUT_OF_ORDER', clock}` having changed nothing.
 *
 * KEYS: meta, tx record, E entity hashes, E seen sets.
 * ARGV: prefix, transaction id, time, amount, label, ttl seconds, sweep period seconds, E, then
 * per entity column: column, entity id, span seconds, W, W × (length seconds, delay seconds).
 */
export const UPDATE_SCRIPT = `
local meta, txKey = KEYS[1], KEYS[2]
local prefix, txid, timeText = ARGV[1], ARGV[2], ARGV[3]
local time, amount, label = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl, sweepEvery, entityCount = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

if redis.call('EXISTS', txKey) == 1 then return {'DUPLICATE'} end
local state = redis.call('HMGET', meta, 'clock', 'lastSweep')
if state[1] and time < tonumber(state[1]) then return {'OUT_OF_ORDER', state[1]} end

local PREFETCH = 4
local reply, record, columns, spans = {'OK'}, {}, {}, {}
local created, evicted = 0, 0
local a = 9
for e = 1, entityCount do
  local key, seen = KEYS[2 + e], KEYS[2 + entityCount + e]
  local column, id, span, windows = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local lengths, delays = {}, {}
  for w = 1, windows do
    lengths[w] = tonumber(ARGV[a + 2 + 2 * w])
    delays[w] = tonumber(ARGV[a + 3 + 2 * w])
  end
  a = a + 4 + 2 * windows
  columns[e], spans[e] = column, span
  local width = 6 * windows
  local format = '<' .. string.rep('d', width)

  local stored = redis.call('HMGET', key, 'h', 't', 'c', 'g')
  local head, tail, generation, cursor
  if stored[1] then
    head, tail, generation = tonumber(stored[1]), tonumber(stored[2]), stored[4]
    cursor = {struct.unpack(format, stored[3])}
  else
    head, tail, generation, cursor = 0, 0, txid, {}
    for i = 1, width do cursor[i] = 0 end
    created = created + 1
  end

  local times, amounts, labels = {}, {}, {}
  local position = tail
  local event = struct.pack('<ddB', time, amount, label)
  times[position], amounts[position], labels[position] = time, amount, label
  tail = tail + 1
  -- One HMGET for the events each window will most likely look at (the first few from its
  -- oldest and from the next to enter); any further one is read on demand.
  local wanted, fields = {}, {}
  for w = 1, windows do
    local o = 6 * (w - 1)
    for _, start in ipairs({cursor[o + 1], cursor[o + 2]}) do
      for p = start, start + PREFETCH - 1 do
        if p >= head and p < position and not wanted[p] then
          wanted[p] = true
          fields[#fields + 1] = string.format('%d', p)
        end
      end
    end
  end
  if #fields > 0 then
    local values = redis.call('HMGET', key, unpack(fields))
    for i = 1, #fields do
      if values[i] then
        local p = tonumber(fields[i])
        times[p], amounts[p], labels[p] = struct.unpack('<ddB', values[i])
      end
    end
  end
  local function load(p)
    if times[p] == nil then
      local t, x, l = struct.unpack('<ddB', redis.call('HGET', key, string.format('%d', p)))
      times[p], amounts[p], labels[p] = t, x, l
    end
  end

  local oldest = tail
  for w = 1, windows do
    local o = 6 * (w - 1)
    local upper = time - delays[w]
    local lower = upper - lengths[w]
    local lo, hi, count = cursor[o + 1], cursor[o + 2], cursor[o + 3]
    local sum, comp, frauds = cursor[o + 4], cursor[o + 5], cursor[o + 6]
    while lo < hi do
      load(lo)
      if times[lo] > lower then break end
      local x = -amounts[lo]
      local t = sum + x
      if math.abs(sum) >= math.abs(x) then comp = comp + (sum - t + x) else comp = comp + (x - t + sum) end
      sum = t
      frauds = frauds - labels[lo]
      count = count - 1
      lo = lo + 1
    end
    if lo == hi then
      count, sum, comp, frauds = 0, 0, 0, 0
      while hi < tail do
        load(hi)
        if times[hi] > lower then break end
        hi = hi + 1
      end
      lo = hi
    end
    while hi < tail do
      load(hi)
      if times[hi] > upper then break end
      local x = amounts[hi]
      local t = sum + x
      if math.abs(sum) >= math.abs(x) then comp = comp + (sum - t + x) else comp = comp + (x - t + sum) end
      sum = t
      frauds = frauds + labels[hi]
      count = count + 1
      hi = hi + 1
    end
    cursor[o + 1], cursor[o + 2], cursor[o + 3] = lo, hi, count
    cursor[o + 4], cursor[o + 5], cursor[o + 6] = sum, comp, frauds
    if lo < oldest then oldest = lo end
  end

  local stale = {}
  for p = head, oldest - 1 do
    stale[#stale + 1] = string.format('%d', p)
    if #stale == 1000 then
      redis.call('HDEL', key, unpack(stale))
      stale = {}
    end
    evicted = evicted + 1
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  if oldest > head then head = oldest end
  local packed = struct.pack(format, unpack(cursor, 1, width))
  local h, t = string.format('%d', head), string.format('%d', tail)
  if stored[1] then
    redis.call('HSET', key, string.format('%d', position), event, 'h', h, 't', t, 'c', packed)
  else
    redis.call('HSET', key, string.format('%d', position), event, 'h', h, 't', t, 'c', packed, 'g', generation)
  end
  redis.call('EXPIRE', key, ttl)
  redis.call('ZADD', seen, timeText, id)
  -- The sets' TTLs are refreshed when they gain an entity and at every sweep.
  if not stored[1] then redis.call('EXPIRE', seen, ttl) end
  record[e] = id .. ' ' .. generation .. ' ' .. string.format('%d', position)
  reply[e + 1] = packed
end

redis.call('SET', txKey, table.concat(record, ' '), 'EX', ttl)
local gone, dropped = 0, 0
if not state[2] then
  redis.call('HSET', meta, 'lastSweep', timeText)
  redis.call('EXPIRE', prefix .. 'seeded', ttl)
elseif time - tonumber(state[2]) >= sweepEvery then
  for e = 1, entityCount do
    local seen = KEYS[2 + entityCount + e]
    local horizon = string.format('%.17g', time - spans[e])
    local idle = redis.call('ZRANGEBYSCORE', seen, '-inf', horizon)
    for _, id in ipairs(idle) do
      local key = prefix .. 'e:' .. columns[e] .. ':' .. id
      local range = redis.call('HMGET', key, 'h', 't')
      if range[1] then
        dropped = dropped + tonumber(range[2]) - tonumber(range[1])
        gone = gone + 1
        redis.call('DEL', key)
      end
    end
    redis.call('ZREMRANGEBYSCORE', seen, '-inf', horizon)
    redis.call('EXPIRE', seen, ttl)
  end
  redis.call('HSET', meta, 'lastSweep', timeText)
  redis.call('EXPIRE', prefix .. 'seeded', ttl)
end
redis.call('HSET', meta, 'clock', timeText)
if created ~= gone then redis.call('HINCRBY', meta, 'entities', created - gone) end
local events = entityCount - evicted - dropped
if events ~= 0 then redis.call('HINCRBY', meta, 'events', events) end
redis.call('EXPIRE', meta, ttl)
return reply
`;

/**
 * Sets the label of a live transaction in every label-reading entity column that still holds
 * it (adjusting the fraud counts of windows that contain it); returns 1, or 0 when none does.
 *
 * KEYS: tx record.
 * ARGV: prefix, label (0/1), E, then per entity column: column, reads labels (1/0), W.
 */
export const RECORD_LABEL_SCRIPT = `
local record = redis.call('GET', KEYS[1])
if not record then return 0 end
local parts = {}
for token in string.gmatch(record, '%S+') do parts[#parts + 1] = token end
local prefix, label, entityCount = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local found = 0
local a = 4
for e = 1, entityCount do
  local column, readsLabels, windows = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  a = a + 3
  local id, generation, positionText = parts[3 * e - 2], parts[3 * e - 1], parts[3 * e]
  if readsLabels == '1' and positionText ~= nil and positionText ~= '-' then
    local key = prefix .. 'e:' .. column .. ':' .. id
    local stored = redis.call('HMGET', key, 'h', 't', 'c', 'g')
    local position = tonumber(positionText)
    if stored[1] and stored[4] == generation and position >= tonumber(stored[1]) and position < tonumber(stored[2]) then
      found = 1
      local field = string.format('%d', position)
      local t, x, old = struct.unpack('<ddB', redis.call('HGET', key, field))
      local delta = label - old
      if delta ~= 0 then
        redis.call('HSET', key, field, struct.pack('<ddB', t, x, label))
        local width = 6 * windows
        local format = '<' .. string.rep('d', width)
        local cursor = {struct.unpack(format, stored[3])}
        for w = 1, windows do
          local o = 6 * (w - 1)
          if position >= cursor[o + 1] and position < cursor[o + 2] then
            cursor[o + 6] = cursor[o + 6] + delta
          end
        end
        redis.call('HSET', key, 'c', struct.pack(format, unpack(cursor, 1, width)))
      end
    end
  end
end
return found
`;
