-- wrk script for bench/flood.sh: POST /send-sms with a fresh message_id per request, counting answers by status.
local threads = {}
local counter, prefix = 0, ""
-- per thread; globals, because wrk hands only plain values from a thread to done()
n200, n400, n429, n503, nother = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + tid)
  prefix = string.format("%04x%04x", math.random(0, 0xffff), tid)
end

request = function()
  counter = counter + 1
  local id = string.format("%s-%04x-4%03x-8%03x-%012x", prefix, math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0, 0xfff), counter)
  local body = '{"message_id":"' .. id .. '","user_id":"' .. os.getenv("SMSGW_FLOOD_USER") ..
    '","phone_number":"+989121234567","message":"flood test"}'
  return wrk.format("POST", "/send-sms", {["Content-Type"] = "application/json", ["X-API-Key"] = os.getenv("SMSGW_FLOOD_KEY")}, body)
end

response = function(status, headers, body)
  if status == 200 then n200 = n200 + 1
  elseif status == 400 then n400 = n400 + 1
  elseif status == 429 then n429 = n429 + 1
  elseif status == 503 then n503 = n503 + 1
  else nother = nother + 1 end
end

done = function(summary, latency, requests)
  local names = {"n200", "n400", "n429", "n503", "nother"}
  local line = "statuses:"
  for _, name in ipairs(names) do
    local n = 0
    for _, thread in ipairs(threads) do n = n + thread:get(name) end
    line = line .. " " .. name:sub(2) .. "=" .. n
  end
  print(line)
  print(string.format("latency_ms: p50=%.1f p99=%.1f max=%.1f", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
