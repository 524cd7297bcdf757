-- wrk script for the mixed load: each request draws its kind — 70 % portal reads (b, c), 10 %
-- node (a), 10 % indicators (d, e), 10 % pipeline steps (f, each on the next activist of
-- $IDS_FILE, never twice). Bodies come from $WORK/{a,b,c,d,e,f}.json; reads go with $TOKEN, steps
-- with $ORG_TOKEN. A response that is not 200 or carries "errors" is counted; done() prints the
-- count as "errors N".
local work = os.getenv("WORK")
local function read(name) return io.open(work .. "/" .. name .. ".json"):read("*a") end
local bodies = { a = read("a"), b = read("b"), c = read("c"), d = read("d"), e = read("e"), f = read("f") }
local reader = "Bearer " .. os.getenv("TOKEN")
local writer = "Bearer " .. os.getenv("ORG_TOKEN")
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end

local threads = {}
local thread_count = 0
setup = function(thread)
  thread:set("thread_no", thread_count)
  thread:set("thread_count", 0)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

init = function(args)
  errors = 0
  counter = 0
  math.randomseed(os.time() + (thread_no or 0) * 7919)
end

-- The kinds' weights: $MIX ("f=1" for steps alone, "b=1,c=1" …), by default the mix above.
local mix = os.getenv("MIX")
if mix == nil or mix == "" then mix = "b=35,c=35,a=10,d=5,e=5,f=10" end
local weights = {}
local total = 0
for kind, w in string.gmatch(mix, "(%a)=(%d+)") do
  total = total + tonumber(w)
  weights[#weights + 1] = { kind, total }
end

request = function()
  local r = math.random(total)
  local kind
  for _, w in ipairs(weights) do
    if r <= w[2] then kind = w[1]; break end
  end
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = reader }
  local body = bodies[kind]
  if kind == "f" then
    counter = counter + 1
    -- Two threads take alternate ids, so no id is stepped twice.
    local i = counter * 2 + (thread_no or 0)
    if i > #ids then
      body = bodies["b"]
    else
      headers["Authorization"] = writer
      body = body:gsub("__ID__", ids[i])
    end
  end
  return wrk.format("POST", "/graphql", headers, body)
end

response = function(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("errors") or 0) end
  io.write(string.format("errors %d\n", n))
end
