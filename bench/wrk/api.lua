-- The API for wrk, as SOAK_API says: "ping" (GET, the baseline), "portfolio" (GET), "preview" (POST an order preview, each draft's id
-- written to SOAK_DRAFTS.<thread>) or "confirm" (POST, each of those drafts confirmed once; a thread stops when
-- it has none left). SOAK_TOKENS: bearer tokens, ","-separated, one a thread (its drafts are its user's).
-- SOAK_DELAY_MS, when set, paces each connection.
-- done() prints one JSON line that bench/soak.py reads.

local mode = os.getenv("SOAK_API")
local drafts_path = os.getenv("SOAK_DRAFTS")
local tokens = {}
for token in string.gmatch(os.getenv("SOAK_TOKENS"), "[^,]+") do
   tokens[#tokens + 1] = token
end
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local order = '{"symbol":"BTC/USDT","side":"buy","amount":"0.0005"}'

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local id, sent, server_errors = 0, 0, 0
local drafts, sink = {}, nil

function init(args)
   id = wrk.thread:get("id")
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. tokens[id % #tokens + 1]
   if mode == "preview" then
      sink = io.open(drafts_path .. "." .. id, "w")
   elseif mode == "confirm" then
      for line in io.lines(drafts_path .. "." .. id) do
         drafts[#drafts + 1] = line
      end
   end
end

function request()
   sent = sent + 1
   if mode == "ping" then
      return wrk.format("GET", "/api/v1/ping")
   elseif mode == "portfolio" then
      return wrk.format("GET", "/api/v1/portfolio")
   elseif mode == "preview" then
      return wrk.format("POST", "/api/v1/orders/preview", nil, order)
   end
   local draft = drafts[sent]
   if draft == nil then
      wrk.thread:stop()
      draft = drafts[#drafts]  -- a last request while the thread stops, answered 409
   end
   return wrk.format("POST", "/api/v1/orders/confirm", nil, '{"draft_id":' .. draft .. '}')
end

if delay_ms > 0 then
   function delay()
      return delay_ms
   end
end

function response(status, headers, body)
   if status >= 500 then
      server_errors = server_errors + 1
      wrk.thread:set("server_errors", server_errors)
   end
   if sink ~= nil then
      local draft = string.match(body, '"draft_id":%s*("?[%w_%-]+"?)')
      if status == 201 and draft ~= nil then
         sink:write(draft, "\n")
         sink:flush()
      end
   end
end

function done(summary, latency, requests)
   local five = 0
   for _, thread in ipairs(threads) do
      five = five + (thread:get("server_errors") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK {"requests":%d,"seconds":%f,"p50_ms":%f,"p99_ms":%f,"socket_errors":%d,"not_2xx":%d,"5xx":%d}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
      e.connect + e.read + e.write + e.timeout, e.status, five))
end
