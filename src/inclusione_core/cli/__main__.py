"""``python -m inclusione_core.cli``: the ``inclusione`` command."""

import sys

from ._main import main

sys.exit(main())
