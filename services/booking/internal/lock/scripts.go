package lock

import "github.com/redis/go-redis/v9"

// Each script touches exactly KEYS[1], the staff member's reservation hash. Entries are
// "<start ms> <end ms> <expiry ms> <fence>"; "now" is the Redis server's clock.
const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function parse(v)
  local s, e, x, f = string.match(v, '^(%d+) (%d+) (%d+) (%d+)$')
  return tonumber(s), tonumber(e), tonumber(x), tonumber(f)
end
`

// reserveScript: ARGV token, start, end, ttl → {1, fence, expiry, resumed} or {0, ms until the
// blocking reservation expires}. A live reservation under the same token is taken over with a
// new fence (resumed = 1): only an owner's derived token can be met again (see ReserveAs).
var reserveScript = redis.NewScript(prelude + `
local start, stop, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local mine = 'r:' .. ARGV[1]
local resumed = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'r:' then
    local s, e, x = parse(all[i + 1])
    if x <= now then
      redis.call('HDEL', KEYS[1], all[i])
    elseif all[i] == mine then
      resumed = 1
    elseif s < stop and start < e then
      return {0, x - now}
    end
  end
end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
local exp = now + ttl
redis.call('HSET', KEYS[1], mine, ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. string.format('%d %d', exp, fence))
return {1, fence, exp, resumed}
`)

// extendScript: ARGV token, ttl → {1, fence, expiry, start, end} or {0} (compare-and-renew).
var extendScript = redis.NewScript(prelude + `
local f = 'r:' .. ARGV[1]
local v = redis.call('HGET', KEYS[1], f)
if not v then return {0} end
local s, e, x, fence = parse(v)
if x <= now then
  redis.call('HDEL', KEYS[1], f)
  return {0}
end
local exp = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], f, string.format('%d %d %d %d', s, e, exp, fence))
return {1, fence, exp, s, e}
`)

// lookupScript: ARGV token → {1, fence, expiry, start, end} or {0}.
var lookupScript = redis.NewScript(prelude + `
local v = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if not v then return {0} end
local s, e, x, fence = parse(v)
if x <= now then return {0} end
return {1, fence, x, s, e}
`)

// releaseScript: ARGV token → 1 when it deleted a live reservation, else 0 (compare-and-delete).
var releaseScript = redis.NewScript(prelude + `
local f = 'r:' .. ARGV[1]
local v = redis.call('HGET', KEYS[1], f)
if not v then return 0 end
redis.call('HDEL', KEYS[1], f)
local _, _, x = parse(v)
if x <= now then return 0 end
return 1
`)

// listScript → flat {token, start, end, expiry, fence, …} of live reservations, dropping expired.
var listScript = redis.NewScript(prelude + `
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'r:' then
    local s, e, x, fence = parse(all[i + 1])
    if x <= now then
      redis.call('HDEL', KEYS[1], all[i])
    else
      table.insert(out, string.sub(all[i], 3))
      table.insert(out, s); table.insert(out, e); table.insert(out, x); table.insert(out, fence)
    end
  end
end
return out
`)
