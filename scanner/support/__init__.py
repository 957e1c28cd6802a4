"""Generic code with no knowledge of sovscan's domain: safe YAML and JSON with lines, the schema checker, wildcard dialects, the cache store."""
