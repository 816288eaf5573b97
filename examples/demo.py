"""Placeholder demo until the kart-hash demo lands."""

import kart_hash

print(f"kart-hash {kart_hash.__version__}")
