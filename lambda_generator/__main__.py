import sys

from lambda_generator.cli import main

sys.exit(main())
