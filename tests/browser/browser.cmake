# tests/browser/browser.cmake — the dashboard in a real headless browser
# (Debian's chromium driven by playwright-core; see tests/browser/run.sh).
# Included from tests/CMakeLists.txt.  Needs the gateway, the services and the CLI.
hr_add_test(NAME browser_dashboard COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh NEEDS_STACK LABELS browser)
