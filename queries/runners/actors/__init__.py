"""Who is behind a number: ActorsQuery (persons lists, optionally the actors of an insight's data point)."""
