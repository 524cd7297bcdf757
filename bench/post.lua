-- wrk script: POST the GraphQL body in $BODY_FILE with the bearer token in $TOKEN. With
-- $IDS_FILE, each request takes the next id from the file in place of __ID__ (one-shot steps).
-- Without it the request is static: wrk sends the same prepared bytes and calls no Lua per
-- request or response (the callbacks cost wrk 4–5 µs of CPU per request, on the cores the
-- service is measured on). Responses that carry "errors" are counted by the service
-- (`fazhan_graphql_requests_total{outcome="error"}`, read by bench/run.sh); wrk counts non-2xx.
local body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = body
local ids_file = os.getenv("IDS_FILE")
if ids_file and ids_file ~= "" then
  local ids = {}
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
  local counter = 0
  local thread_count = 0
  setup = function(thread)
    -- A global of the thread's own state (a local here would shadow it: both threads took the
    -- same ids, and half the steps were refused as conflicts).
    thread:set("thread_no", thread_count)
    thread_count = thread_count + 1
  end
  request = function()
    counter = counter + 1
    local id = ids[((counter * 2 + thread_no) % #ids) + 1]
    return wrk.format(nil, nil, nil, (body:gsub("__ID__", id)))
  end
end
