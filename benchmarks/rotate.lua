-- wrk script for the list's "built afresh" line (docs/performance.md): every request adds a due_before no
-- request of this run used before, so no worker can answer it from a statement remembered by its URL. The
-- dates lie after every generated deadline (from 2100 on), so the rows are the same page as without it.
local made = 0
function setup(thread)
  thread:set("first", made)
  made = made + 1
end

function init(args)
  step = tonumber(first) or 0
  start = 4102444800 + (os.time() % 3000) * 86400 * 40 -- 2100-01-01 onwards, another stretch each run
end

function request()
  step = step + 2 -- wrk -t2: the two threads take alternate days
  return wrk.format(nil, wrk.path .. "&due_before=" .. os.date("!%Y-%m-%d", start + step * 86400))
end
