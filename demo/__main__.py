"""``python -m demo [ADDR:PORT]``: create the tables, then serve the workbench."""
import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    os.environ.setdefault("EXCLUDE_SAMPLE_XBLOCKS", "yes")
    address = argv[0] if argv else "127.0.0.1:8000"
    # The xAPI statements' actor homePage and activity IRIs name this server (demo/settings.py).
    os.environ.setdefault("CX_DEMO_LMS_ROOT_URL", f"http://{address}")
    execute_from_command_line(["demo", "migrate", "--run-syncdb", "--verbosity", "0"])
    execute_from_command_line(["demo", "runserver", "--noreload", address])


if __name__ == "__main__":
    main(sys.argv[1:])
