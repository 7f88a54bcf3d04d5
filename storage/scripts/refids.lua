-- Read-only: the ids in each reference index key given (either form, refs.lua).
-- KEYS: the reference keys
local found = {}
for i, key in ipairs(KEYS) do
  found[i] = ref_members(key)
end
return found
