#!/usr/bin/env bash
# Install Debian's chromium and its driver for the site's browser test (tests/site/test_browser.py).
# Selenium uses /usr/bin/chromedriver directly, so Selenium Manager never downloads a driver.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromedriver ]; then
  echo "install-browser: chromium $(chromium --version 2>/dev/null | awk '{print $2}') and chromedriver already installed"
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver
echo "install-browser: $(chromium --version)"
