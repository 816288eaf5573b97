"""The parts of gokart's mypy plugin (`gokart.mypy`), one job per module; loaded only by mypy."""
