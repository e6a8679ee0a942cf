"""Many documents: discovery, workers, the per-document cache, and the command line."""
