-- Telegram's side of the webhook for wrk: every request a new update (a fresh update_id) from one of
-- SOAK_USERS users, its text the next of SOAK_TEXTS ("|"-separated), posted with the webhook's secret header;
-- SOAK_DELAY_MS, when set, paces each connection (a steady load rather than as much as the bot takes).
-- bench/soak.py sets the environment; done() (common.lua's) prints one JSON line that bench/soak.py reads.

-- The functions both scripts share (setup, the pacing, the 5xx count, done), from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local secret = os.getenv("SOAK_SECRET")
local first_update = tonumber(os.getenv("SOAK_UPDATE_BASE"))
local first_user = tonumber(os.getenv("SOAK_USER_BASE"))
local users = tonumber(os.getenv("SOAK_USERS"))
local threads_count = tonumber(os.getenv("SOAK_THREADS"))
local texts = {}
for text in string.gmatch(os.getenv("SOAK_TEXTS"), "[^|]+") do
   texts[#texts + 1] = text
end

local id, sent = 0, 0

function init(args)
   id = thread_id()
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = secret
end

function request()
   sent = sent + 1
   -- Threads never share an update id or a user: each takes every threads_count-th of both; a user's next
   -- update comes SOAK_USERS / threads_count of its thread's updates later, after its last one was answered
   -- when SOAK_USERS >= the connections, as Telegram posts a chat's updates one at a time.
   local nth = sent * threads_count + id
   local user = first_user + nth % users
   local text = texts[sent % #texts + 1]
   local body = string.format(
      '{"update_id":%d,"message":{"message_id":%d,"date":%d,' ..
      '"chat":{"id":%d,"type":"private","first_name":"Soak"},' ..
      '"from":{"id":%d,"is_bot":false,"first_name":"Soak","language_code":"en"},"text":"%s"}}',
      first_update + nth, sent, os.time(), user, user, text)
   return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
   count_server_error(status)
end
