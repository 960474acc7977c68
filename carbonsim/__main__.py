"""``python -m carbonsim``: the ``carbonsim`` command line."""

import sys

from carbonsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
