-- Books the earliest request slot that fits every quota of one rate-limit group, for all the
-- replicas that share this Redis. The same algorithm as `Window::earliest` / `Window::grant` in
-- limits.rs, run as one script so no other replica can book between the reading and the writing.
--
-- KEYS[i]        one sorted set per quota: the granted slot times (score, microseconds)
-- ARGV[1]        the longest wait allowed, in microseconds
-- ARGV[2]        a random suffix, so two slots at the same microsecond stay two members
-- ARGV[1 + 2i]   quota i's `max` (at least 1)
-- ARGV[2 + 2i]   quota i's window, in microseconds
--
-- Returns {1, wait} when booked (wait in microseconds, possibly 0), {0, wait} when refused
-- because the wait exceeds the maximum (nothing is booked then).

-- Redis's clock, not the callers': replicas' clocks may disagree, Redis has only one.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

-- Lua prints large numbers in exponent form (losing microseconds); Redis needs the digits.
local function int(n)
  return string.format('%d', n)
end

local max_wait = tonumber(ARGV[1])
local suffix = ARGV[2]
local at = now

for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[1 + 2 * i])
  local per = tonumber(ARGV[2 + 2 * i])
  -- Grants that have left the window no longer count (t + per <= now).
  redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - per))
  -- Slots are granted in order: never before the last one.
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then
    at = math.max(at, tonumber(last[2]))
  end
  -- Full: wait until the oldest of the last `max` leaves the window.
  local count = redis.call('ZCARD', key)
  if count >= max then
    local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    if oldest[2] then
      at = math.max(at, tonumber(oldest[2]) + per)
    end
  end
end

local wait = at - now
if wait > max_wait then
  return {0, wait}
end

for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[1 + 2 * i])
  local per = tonumber(ARGV[2 + 2 * i])
  redis.call('ZADD', key, int(at), int(at) .. '-' .. suffix)
  -- Only the last `max` grants ever matter; older ones would only grow the set.
  redis.call('ZREMRANGEBYRANK', key, 0, -(max + 1))
  -- A group nobody uses any more leaves nothing behind once its last slot has left the window.
  redis.call('PEXPIRE', key, int(math.ceil((at - now + per) / 1000) + 1000))
end
return {1, wait}
