"""The index folder: embeddings, BM25, generations and staging, the documents door and its log."""
