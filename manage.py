#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workstyle.settings")
    # A developer's shell with neither DEBUG nor SECRET_KEY set runs management commands in development
    # mode. Servers do not start through manage.py, and a deployment sets SECRET_KEY (DEBUG then stays off).
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
