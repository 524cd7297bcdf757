-- wrk script: POST the GraphQL body in $BODY_FILE with the bearer token in $TOKEN. With
-- $IDS_FILE, each request takes the next id from the file in place of __ID__ (one-shot steps).
-- Counts the responses that are not 200 or carry "errors".
local body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = body
local ids = {}
local ids_file = os.getenv("IDS_FILE")
if ids_file and ids_file ~= "" then
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
end
local counter = 0
local thread_count = 0
local threads = {}
errors = 0
setup = function(thread)
  -- A global of the thread's own state (a local here would shadow it: both threads took the
  -- same ids, and half the steps were refused as conflicts).
  thread:set("thread_no", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end
-- Responses that are not 200 or carry "errors" (printed as "errors N" at the end).
response = function(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("errors") or 0) end
  io.write(string.format("errors %d\n", n))
end
request = function()
  if #ids == 0 then return wrk.format() end
  counter = counter + 1
  local id = ids[((counter * 2 + thread_no) % #ids) + 1]
  return wrk.format(nil, nil, nil, (body:gsub("__ID__", id)))
end
