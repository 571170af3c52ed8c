"""``python -m demo [ADDR:PORT]``: create the tables, then serve the workbench."""
import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    os.environ.setdefault("EXCLUDE_SAMPLE_XBLOCKS", "yes")
    execute_from_command_line(["demo", "migrate", "--run-syncdb", "--verbosity", "0"])
    address = argv[0] if argv else "127.0.0.1:8000"
    execute_from_command_line(["demo", "runserver", "--noreload", address])


if __name__ == "__main__":
    main(sys.argv[1:])
