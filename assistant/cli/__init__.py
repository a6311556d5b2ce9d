"""The command line: parsing, commands, one-line errors."""
