-- One GCRA decision, atomically (tahoon_domain::rate_limit::decide does the same arithmetic;
-- a test runs both on the same arrivals and compares).
-- KEYS[1]: the limited key. ARGV[1]: requests per period. ARGV[2]: the period in microseconds.
-- ARGV[3]: the current instant in microseconds since the Unix epoch, or "" for Redis's own clock
-- (the default, so instances whose clocks differ still share one limit).
-- Answers {allowed (1 or 0), the TAT before the decision (never before now), now}.
-- Instants are whole microseconds well below 2^53, which Lua's doubles hold exactly.
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local now
if ARGV[3] ~= nil and ARGV[3] ~= "" then
  now = tonumber(ARGV[3])
else
  local time = redis.call("TIME")
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local emission = math.max(math.floor(period / limit), 1)
local burst = emission * limit
local stored = redis.call("GET", KEYS[1])
local tat = now
if stored then
  tat = math.max(tonumber(stored), now)
end
local next = tat + emission
if now < next - burst then
  return {0, tat, now}
end
-- Kept until the TAT passes: after that, no history and a TAT of now mean the same.
redis.call("SET", KEYS[1], string.format("%d", next), "PX", math.floor((next - now) / 1000) + 1)
return {1, tat, now}
