"""insights-server's core: organizations, projects and environments, users, API keys, auth, routing, errors."""
