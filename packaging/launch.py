"""Entry point of the desktop bundle: the same program as ``coder`` on the command line.

Started with no arguments (a double-click) it opens the window; with a .coder file (a
double-clicked project) it opens that project; with a sub-command it runs the CLI.
"""

import sys

from coder.cli import main

if __name__ == "__main__":
    sys.exit(main())
