"""Run the command line with `python -m prepexport`."""

from prepexport.cli import main

main()
