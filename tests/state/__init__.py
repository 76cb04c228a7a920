"""What carries from build to build: the lock, stable ids, the note type contract."""
