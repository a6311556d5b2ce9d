"""Chinese text helpers with no knowledge of files or indexes: sentences, words, figures, places, planted instructions."""
