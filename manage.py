#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from config.problems import check_settings_or_exit
    except ModuleNotFoundError as exc:  # run outside the project's virtualenv
        sys.exit(f"{exc}: run the commands with .venv/bin/python (make run creates it)")
    check_settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
