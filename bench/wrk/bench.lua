-- wrk script for bench/run: one endpoint per run, chosen by BENCH_ENDPOINT, and a machine-readable
-- RESULT line at the end (latency percentiles in microseconds, statuses of the POSTs).
--
-- Environment (set by bench/run):
--   BENCH_ENDPOINT  callback | search | slots | booking | staff_bookings | manage | desk_day |
--                   desk_booking
--   BENCH_RUN       a tag unique to this wrk run (unique emails across runs)
--   BENCH_THREADS   wrk's -t (booking: thread k takes pool lines k, k + T, k + 2T, ...)
--   BENCH_CITIES    search: "lat,lng;lat,lng;..." origins, taken in turn
--   BENCH_IDS       slots: practitioner ids, comma-separated, taken in turn
--   BENCH_POOL      booking: a file of free slots "practitioner_id,starts_at,mode", one a line,
--                   this run's alone (no other run books them)
--   BENCH_PATH      staff_bookings: the path and query; BENCH_TOKEN: the bearer token
--   BENCH_MANAGE_TOKENS  manage: a file of manage-link tokens, one a line, taken in turn
--   BENCH_DESK_COOKIE  desk_*: the console's session cookie (name=value)
--   BENCH_DESK_DAY  desk_day: the day page's path and query
--   BENCH_DESK_BOOKINGS  desk_booking: a file of booking ids, one a line, taken in turn

local endpoint = os.getenv("BENCH_ENDPOINT")
local run_tag = os.getenv("BENCH_RUN") or "0"
local user_agent = "Mozilla/5.0 (consultdesk bench)"
local consents = '"consents":{"appointment_reminders":true,"exercise_plans":true,"plans_of_care":false,"service_updates":false}'

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- Per thread (each has its own Lua state).
local n = 0
local items = {}
created, conflict, other = 0, 0, 0

local function split(s, sep)
   local out = {}
   for part in string.gmatch(s or "", "([^" .. sep .. "]+)") do
      table.insert(out, part)
   end
   return out
end

function init(args)
   wrk.headers["User-Agent"] = user_agent
   if endpoint == "search" then
      for _, city in ipairs(split(os.getenv("BENCH_CITIES"), ";")) do
         table.insert(items, "/v1/practitioners?near=" .. city .. "&radius_km=25&limit=20")
      end
      n = id - 1
   elseif endpoint == "slots" then
      for _, pid in ipairs(split(os.getenv("BENCH_IDS"), ",")) do
         table.insert(items, "/v1/practitioners/" .. pid .. "/slots")
      end
      n = id - 1
   elseif endpoint == "booking" then
      local stride = tonumber(os.getenv("BENCH_THREADS"))
      local line_no = 0
      for line in io.lines(os.getenv("BENCH_POOL")) do
         if line_no % stride == id - 1 then
            table.insert(items, line)
         end
         line_no = line_no + 1
      end
   elseif endpoint == "manage" then
      for token in io.lines(os.getenv("BENCH_MANAGE_TOKENS")) do
         table.insert(items, "/manage/" .. token)
      end
      n = id - 1
   elseif endpoint == "desk_day" then
      wrk.headers["Cookie"] = os.getenv("BENCH_DESK_COOKIE")
      table.insert(items, os.getenv("BENCH_DESK_DAY"))
   elseif endpoint == "desk_booking" then
      wrk.headers["Cookie"] = os.getenv("BENCH_DESK_COOKIE")
      for booking in io.lines(os.getenv("BENCH_DESK_BOOKINGS")) do
         table.insert(items, "/desk/bookings/" .. booking)
      end
      n = id - 1
   elseif endpoint == "staff_bookings" then
      wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
   end
   if endpoint == "callback" or endpoint == "booking" then
      wrk.headers["Content-Type"] = "application/json"
   end
end

function request()
   n = n + 1
   if endpoint == "callback" then
      local body = '{"name":"Bench Patient","phone":"416-555-0100","email":"cb-' .. run_tag .. '-' .. id .. '-' .. n ..
         '@example.com","preferred_time":"morning","concern":"Knee pain when running",' ..
         '"source_url":"https://clinic.example/contact",' .. consents .. '}'
      return wrk.format("POST", "/v1/callback-requests", nil, body)
   elseif endpoint == "booking" then
      -- Past the end of this thread's share the slots repeat: those requests get 409s, counted.
      local slot = split(items[(n - 1) % #items + 1], ",")
      local body = '{"practitioner_id":"' .. slot[1] .. '","starts_at":"' .. slot[2] .. '","mode":"' .. slot[3] ..
         '","patient":{"name":"Bench Patient","email":"bk-' .. run_tag .. '-' .. id .. '-' .. n ..
         '@example.com","phone":"+1 416-555-0100"},"concern":"Lower back pain after lifting",' .. consents .. '}'
      return wrk.format("POST", "/v1/bookings", nil, body)
   elseif endpoint == "staff_bookings" then
      return wrk.format("GET", os.getenv("BENCH_PATH"))
   else
      return wrk.format("GET", items[n % #items + 1])
   end
end

-- Statuses are counted only for the POSTs (a response() callback makes wrk parse every answer).
if endpoint == "callback" or endpoint == "booking" then
   function response(status, headers, body)
      if status == 201 then
         created = created + 1
      elseif status == 409 then
         conflict = conflict + 1
      else
         other = other + 1
         if other <= 3 then
            io.stderr:write("unexpected " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n")
         end
      end
   end
end

function done(summary, latency, requests)
   local c, k, o = 0, 0, 0
   for _, thread in ipairs(threads) do
      c = c + (thread:get("created") or 0)
      k = k + (thread:get("conflict") or 0)
      o = o + (thread:get("other") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d non2xx=%d sockerr=%d created=%d conflict=%d other=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency.max, e.status,
      e.connect + e.read + e.write + e.timeout, c, k, o))
end
