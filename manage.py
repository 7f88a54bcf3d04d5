#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from config.problems import check_settings_or_exit

        check_settings_or_exit()  # imports the settings, which need the project's packages too
    except ModuleNotFoundError as exc:  # a Python without the project's packages (not the virtualenv's)
        sys.exit(
            f"{exc} in {sys.executable}: run .venv/bin/python manage.py {' '.join(sys.argv[1:])}".rstrip()
            + " (make run creates .venv and installs the requirements)"
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
