# tests/client/client.cmake — the typed TypeScript client (clients/ts),
# included from tests/CMakeLists.txt.  Both need the npm set scripts/deps.sh
# installs into .deps/node (yaml for the generator, typescript for the
# type check): they fail, saying so, without it.
#   client_ts_fresh: clients/ts/hybridrec.ts is what generate.mjs makes of
#                    gateway/openapi.yaml today (regenerate and commit).
#   client_ts_live:  type-checks the client and its test, then calls every
#                    operation of a live throwaway stack through it, and
#                    /docs (Swagger UI) end to end.
hr_add_test(NAME client_ts_fresh COMMAND node ${CMAKE_SOURCE_DIR}/clients/ts/generate.mjs --check LABELS unit)
set_property(TEST client_ts_fresh APPEND PROPERTY ENVIRONMENT "HR_NODE_DEPS_DIR=${HR_NODE_DEPS_DIR}")
hr_add_test(NAME client_ts_live COMMAND ${CMAKE_SOURCE_DIR}/tests/client/run.sh NEEDS_STACK LABELS e2e)
set_property(TEST client_ts_live APPEND PROPERTY ENVIRONMENT
             "HR_NODE_DEPS_DIR=${HR_NODE_DEPS_DIR}" "HR_DOCS_EMBEDDED=${HR_DOCS_EMBEDDED}")
