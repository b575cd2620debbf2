#!/bin/sh
# Starts `tsc --api` for the kernel's type checker (native-checker.ts), with two differences:
# - it dies with the kernel, even when the kernel is killed outright (SIGKILL
#   leaves the kernel no chance to clean up, and tsc would stay behind holding its stderr);
# - it runs in a session of its own, out of reach of the SIGINT that Jupyter sends to the
#   kernel's process group to interrupt a cell (tsc exits on SIGINT, even when ignored).
# setpriv and setsid are in util-linux; neither forks here, so the death signal stays set.
exec setpriv --pdeathsig KILL -- setsid -- "$TEMPO_TSC" "$@"
