"""HogQL: parse PostHog's SQL dialect into our AST, resolve it against the project's tables, print ClickHouse SQL."""
