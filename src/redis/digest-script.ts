/**
 * A digest of a key's value that does not depend on how the server stores it. DUMP payloads cannot be
 * compared for this: a set or a large hash is serialised in hash-table order, and that order differs
 * between two servers holding the same members (each process seeds its hash function at random).
 * The same script runs on the source and on the cluster, so both sides canonicalise alike: members
 * sorted, hash fields sorted, every element length-prefixed. Types without a canonical reader (module
 * types) fall back to their DUMP payload.
 *
 * One key per call on a cluster node (a script's keys must share a slot there); many on the source.
 */
export const DIGEST_KEYS_LUA = `
local function add(parts, s) parts[#parts + 1] = #s .. ':' .. s end
local out = {}
for i, k in ipairs(KEYS) do
  local ty = redis.call('TYPE', k).ok
  local parts = { ty }
  if ty == 'none' then
    out[i] = false
  else
    if ty == 'string' then
      add(parts, redis.call('GET', k))
    elseif ty == 'list' then
      for _, e in ipairs(redis.call('LRANGE', k, 0, -1)) do add(parts, e) end
    elseif ty == 'set' then
      local m = redis.call('SMEMBERS', k)
      table.sort(m)
      for _, e in ipairs(m) do add(parts, e) end
    elseif ty == 'zset' then
      for _, e in ipairs(redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')) do add(parts, e) end
    elseif ty == 'hash' then
      local flat = redis.call('HGETALL', k)
      local fields, values = {}, {}
      for j = 1, #flat, 2 do fields[#fields + 1] = flat[j]; values[flat[j]] = flat[j + 1] end
      table.sort(fields)
      for _, f in ipairs(fields) do add(parts, f); add(parts, values[f]) end
    elseif ty == 'stream' then
      for _, entry in ipairs(redis.call('XRANGE', k, '-', '+')) do
        add(parts, entry[1])
        for _, e in ipairs(entry[2]) do add(parts, e) end
      end
    else
      add(parts, redis.call('DUMP', k))
    end
    out[i] = redis.sha1hex(table.concat(parts, ','))
  end
end
return out`;
