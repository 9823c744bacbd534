-- What bench/wrk's scripts share, loaded by each with dofile (below): each thread's id, the pacing by
-- SOAK_DELAY_MS, the 5xx answers counted per thread, and done()'s one JSON line that bench/soak.py reads.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function thread_id()
   return wrk.thread:get("id")
end

local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
if delay_ms > 0 then  -- a steady load rather than as much as the server takes; without delay(), none
   function delay()
      return delay_ms
   end
end

local server_errors = 0

function count_server_error(status)
   if status >= 500 then
      server_errors = server_errors + 1
      wrk.thread:set("server_errors", server_errors)
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
