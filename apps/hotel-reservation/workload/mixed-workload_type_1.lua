-- HotelReservation mixed workload for wrk2 (our own script, written from the AIOpsLab facts).
-- The target URL is the frontend root (http://<frontend>:5000); every request sets its own path.
-- Mix per request: search 60 %, recommend 39 %, login 0.5 %, reserve 0.5 %.

math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local function coordinates()
  -- Around the hotels of the data set (San Francisco Bay Area).
  local lat = 38.0235 + (math.random(0, 481) - 240.5) / 1000.0
  local lon = -122.095 + (math.random(0, 325) - 157.0) / 1000.0
  return lat, lon
end

local function stay()
  -- Check-in between 2015-04-09 and 2015-04-23, check-out one to four days later but not after 2015-04-24.
  local check_in = math.random(9, 23)
  local check_out = math.min(check_in + math.random(1, 4), 24)
  return string.format("2015-04-%02d", check_in), string.format("2015-04-%02d", check_out)
end

local function account()
  -- Users Cornell_0 .. Cornell_500; the password is the user number written ten times.
  local id = math.random(0, 500)
  return "Cornell_" .. id, string.rep(tostring(id), 10)
end

local function search_hotels()
  local in_date, out_date = stay()
  local lat, lon = coordinates()
  local path = string.format("/hotels?inDate=%s&outDate=%s&lat=%.4f&lon=%.4f", in_date, out_date, lat, lon)
  return wrk.format("GET", path)
end

local function recommend()
  local criteria = { "dis", "rate", "price" }
  local lat, lon = coordinates()
  local path = string.format("/recommendations?require=%s&lat=%.4f&lon=%.4f", criteria[math.random(1, 3)], lat, lon)
  return wrk.format("GET", path)
end

local function login()
  local username, password = account()
  return wrk.format("POST", string.format("/user?username=%s&password=%s", username, password))
end

local function reserve()
  local in_date, out_date = stay()
  local lat, lon = coordinates()
  local username, password = account()
  local path = string.format(
    "/reservation?inDate=%s&outDate=%s&lat=%.4f&lon=%.4f&hotelId=%d&customerName=%s&username=%s&password=%s&number=1",
    in_date, out_date, lat, lon, math.random(1, 80), username, username, password)
  return wrk.format("POST", path)
end

request = function()
  local r = math.random()
  if r < 0.6 then
    return search_hotels()
  elseif r < 0.99 then
    return recommend()
  elseif r < 0.995 then
    return login()
  else
    return reserve()
  end
end
