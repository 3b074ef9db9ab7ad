"""``python3 -m enjambre_client``: the same as ``enjambre-client``."""
import sys

from .cli import main

sys.exit(main())
