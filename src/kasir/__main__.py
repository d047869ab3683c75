import sys

from kasir.cli import main

sys.exit(main())
