-- SocialNetwork read-home-timeline workload for wrk2 (our own script).
-- GET /wrk2-api/home-timeline/read for a random user (0..961) and a random window of 10 posts.

math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local function read_home_timeline()
  local user = math.random(0, 961)
  local start = math.random(0, 100)
  return wrk.format("GET", string.format("/wrk2-api/home-timeline/read?user_id=%d&start=%d&stop=%d", user, start, start + 10))
end

request = read_home_timeline
