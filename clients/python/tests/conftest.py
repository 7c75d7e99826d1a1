"""The client is imported from this folder's parent, whichever folder pytest runs from."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
