"""HTTP API of the core: users, organizations, projects/environments, personal API keys, login, health."""
