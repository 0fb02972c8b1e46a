"""Write operations on the core models (organizations, projects, users, personal API keys)."""
