"""Files to Documents (readers, by type) and Documents to Chunks (Chinese-aware chunking)."""
