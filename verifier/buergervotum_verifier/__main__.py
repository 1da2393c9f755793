"""Run the verifier: python -m buergervotum_verifier BUNDLE.json [RECEIPT.json ...]."""

import sys

from buergervotum_verifier.verify import main

if __name__ == "__main__":  # not again in the processes that check signatures
    sys.exit(main(prog="python -m buergervotum_verifier"))
