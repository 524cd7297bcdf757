-- wrk script: POST the GraphQL body in $BODY_FILE with the bearer token in $TOKEN. With
-- $IDS_FILE, each request takes the next id from the file in place of __ID__ (one-shot steps).
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
local thread_no = 0
setup = function(thread)
  thread:set("thread_no", thread_no)
  thread_no = thread_no + 1
end
request = function()
  if #ids == 0 then return wrk.format() end
  counter = counter + 1
  local id = ids[((counter * 2 + thread_no) % #ids) + 1]
  return wrk.format(nil, nil, nil, (body:gsub("__ID__", id)))
end
