"""Storage layer: Redis (or Vercel KV / Upstash REST, or JSON files in DEBUG) as the source of truth.

It knows nothing about clients or sessions: apps declare collections (CollectionSpec) and use
get_store().collection(name).
"""
