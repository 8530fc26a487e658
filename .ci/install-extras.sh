# Sourced by .ci/run: installs the system packages the test suite needs on a fresh machine.
# Each block checks first, so a developer machine that already has them pays nothing.
:

# Kotlin binding tests (cargo xtask test -> mvn test): a JDK 17+ and Maven.
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  apt_install openjdk-17-jdk-headless
fi
if ! command -v mvn >/dev/null 2>&1; then
  apt_install maven
fi

# schemathesis (cargo xtask test -> api-contract) runs in a venv under target/.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install python3-venv
fi

# Differential tests against peer libraries (cargo xtask test -> peers): node and npm; the
# pinned packages themselves go to target/peers/node (tests/peers/package-lock.json).
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# Fuzzing (cargo xtask test -> fuzz): a nightly toolchain and cargo-fuzz.
bash .ci/install-fuzz.sh

# Library size budget (cargo xtask test -> size): the arm64 Rust target and Debian's cross gcc,
# which links the arm64 libhutong.so and brings aarch64-linux-gnu-strip / -nm.
rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || rustup target add aarch64-unknown-linux-gnu
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
  apt_install gcc-aarch64-linux-gnu
fi
