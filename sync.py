#!/usr/bin/env python3
"""Section 11 training-data mirror: see README.md."""

import sys

from section11.cli import main

if __name__ == "__main__":
    sys.exit(main())
