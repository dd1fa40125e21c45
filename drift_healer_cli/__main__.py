"""``python -m drift_healer_cli`` = the ``drift-healer`` command."""

import sys

from drift_healer_cli.main import main

sys.exit(main())
