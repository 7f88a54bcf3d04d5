-- Convert the reference index keys given from the previous layout's SET to a hash (refs.lua); a key
-- already converted (or gone) is left as it is, so a run can be repeated or resumed.
-- KEYS: the reference keys
local converted = 0
for _, key in ipairs(KEYS) do
  if ref_convert(key) then
    converted = converted + 1
  end
end
return converted
