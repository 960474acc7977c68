import sys

from carbonsim.cli import main

sys.exit(main())
