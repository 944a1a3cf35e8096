"""Entry point: `python3 lambda-c-emulator.pyz`, `python3 -m lambda_emulator` or
`python3 emulator/lambda_emulator` (run from the source tree)."""
import os
import sys

if not __package__:
    # Run as a folder: make the package importable by its name, and keep the folder itself
    # off sys.path so that its module names never shadow the standard library's.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, os.path.dirname(here))

from lambda_emulator.cli import main  # noqa: E402

sys.exit(main())
