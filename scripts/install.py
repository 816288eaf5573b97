"""Install one kart package from this checkout with the kart packages it depends on.

python scripts/install.py kart-storage[s3]
python scripts/install.py gokart[all]
"""

from __future__ import annotations

import re
import subprocess
import sys

from _local_packages import install_arguments


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    args: list[str] = []
    for spec in argv:
        match = re.fullmatch(r"([a-z-]+)(?:\[([a-z,]+)\])?", spec)
        if match is None:
            print(f"not a package spec: {spec!r} (expected e.g. kart-storage[s3])", file=sys.stderr)
            return 2
        extras = tuple(match.group(2).split(",")) if match.group(2) else ()
        args += install_arguments(match.group(1), extras)
    return subprocess.call([sys.executable, "-m", "pip", "install", *dict.fromkeys(args)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
