"""From a question to a checked answer: retrieval, gate, context, prompt, generation, claims, citations."""
