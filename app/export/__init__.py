"""Pages that work with no server: a recorded trace with the app's own scripts inlined."""
