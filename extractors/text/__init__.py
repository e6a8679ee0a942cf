"""Text in: reading files (documents) and cleaning them with a map back to the original (normalize)."""
