-- The API for wrk, as SOAK_API says: "ping" (GET, the baseline), "portfolio" (GET), "preview" (POST an order preview, each draft's id
-- written to SOAK_DRAFTS.<thread>) or "confirm" (POST, each of those drafts confirmed once; a thread stops when
-- it has none left). SOAK_TOKENS: bearer tokens, ","-separated, one a thread (its drafts are its user's).
-- SOAK_DELAY_MS, when set, paces each connection.
-- done() (common.lua's) prints one JSON line that bench/soak.py reads.

-- The functions both scripts share (setup, the pacing, the 5xx count, done), from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local mode = os.getenv("SOAK_API")
local drafts_path = os.getenv("SOAK_DRAFTS")
local tokens = {}
for token in string.gmatch(os.getenv("SOAK_TOKENS"), "[^,]+") do
   tokens[#tokens + 1] = token
end
local order = '{"symbol":"BTC/USDT","side":"buy","amount":"0.0005"}'

local id, sent = 0, 0
local drafts, sink = {}, nil

function init(args)
   id = thread_id()
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

function response(status, headers, body)
   count_server_error(status)
   if sink ~= nil then
      local draft = string.match(body, '"draft_id":%s*("?[%w_%-]+"?)')
      if status == 201 and draft ~= nil then
         sink:write(draft, "\n")
         sink:flush()
      end
   end
end
