-- SocialNetwork mixed workload for wrk2 (our own script): 60 % home-timeline reads, 30 % user-timeline reads,
-- 10 % post composes. Self-contained, because the wrk2 Job mounts only the one script it runs.

math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local USERS = 962
local CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

local function random_string(length)
  local out = {}
  for i = 1, length do
    local k = math.random(1, #CHARS)
    out[i] = CHARS:sub(k, k)
  end
  return table.concat(out)
end

local function random_digits(length)
  local out = { tostring(math.random(1, 9)) }
  for i = 2, length do out[i] = tostring(math.random(0, 9)) end
  return table.concat(out)
end

local function url_encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function compose_body()
  local user = math.random(0, USERS - 1)
  local parts = { random_string(256) }
  for _ = 1, math.random(1, 6) do
    parts[#parts + 1] = " @username_" .. math.random(0, USERS - 1)
  end
  for _ = 1, math.random(1, 6) do
    parts[#parts + 1] = " http://" .. random_string(64)
  end
  local ids, types = {}, {}
  for i = 1, math.random(1, 5) do
    ids[i] = '"' .. random_digits(18) .. '"'
    types[i] = '"png"'
  end
  return "username=username_" .. user
    .. "&user_id=" .. user
    .. "&text=" .. url_encode(table.concat(parts))
    .. "&media_ids=" .. url_encode("[" .. table.concat(ids, ",") .. "]")
    .. "&media_types=" .. url_encode("[" .. table.concat(types, ",") .. "]")
    .. "&post_type=0"
end

local HEADERS = { ["Content-Type"] = "application/x-www-form-urlencoded" }

local function compose_post()
  return wrk.format("POST", "/wrk2-api/post/compose", HEADERS, compose_body())
end

local function read_timeline(kind)
  local user = math.random(0, USERS - 1)
  local start = math.random(0, 100)
  return wrk.format("GET", string.format("/wrk2-api/%s/read?user_id=%d&start=%d&stop=%d", kind, user, start, start + 10))
end

request = function()
  local r = math.random()
  if r < 0.6 then
    return read_timeline("home-timeline")
  elseif r < 0.9 then
    return read_timeline("user-timeline")
  else
    return compose_post()
  end
end
