import os

from django.core.wsgi import get_wsgi_application

from config.problems import check_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
check_settings_or_exit()  # one line per configuration problem, exit 2, no traceback
application = get_wsgi_application()
