"""Serves the JupyterLab build in ./build with Debian's jupyter_server and jupyterlab_server.

JupyterLab's own Python package is not on this machine (no PyPI); its server side is these two
Debian packages, and its front end is our npm build. Run with /usr/bin/python3:
    /usr/bin/python3 lab_app.py --ServerApp.port=8888 --ServerApp.token=... --ServerApp.root_dir=DIR
The lab is at http://127.0.0.1:PORT/lab.
"""
import json
import os

from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

# Configuration files on this machine must not change what the tests see.
os.environ["JUPYTER_NO_CONFIG"] = "1"

with open(os.path.join(HERE, "package.json")) as package:
    VERSION = json.load(package)["version"]


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": TempoLab}]


class TempoLab(LabServerApp):
    name = __name__
    extension_url = "/lab"
    app_url = "/lab"
    app_name = "JupyterLab"
    app_version = VERSION
    load_other_extensions = False
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    app_settings_dir = os.path.join(HERE, "settings")
    # User settings and workspaces live in the test's own folder (TEMPO_LAB_STATE), never the user's.
    user_settings_dir = os.path.join(os.environ.get("TEMPO_LAB_STATE", os.path.join(BUILD, "state")), "user_settings")
    workspaces_dir = os.path.join(os.environ.get("TEMPO_LAB_STATE", os.path.join(BUILD, "state")), "workspaces")


if __name__ == "__main__":
    TempoLab.launch_instance()
