"""`python -m assistant.cli`."""

import sys

from assistant.cli.main import main

if __name__ == "__main__":  # not when a spawned reader process imports it
    sys.exit(main())
