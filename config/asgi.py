import os

from django.core.asgi import get_asgi_application

from config.problems import check_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
check_settings_or_exit()  # one line per configuration problem, exit 2, no traceback
application = get_asgi_application()
