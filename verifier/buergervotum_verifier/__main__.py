"""Run the verifier: python -m buergervotum_verifier BUNDLE.json [RECEIPT.json ...]."""

import sys

from buergervotum_verifier.verify import main

sys.exit(main(prog="python -m buergervotum_verifier"))
