# gateway/swagger/embed.cmake — included by gateway/CMakeLists.txt: embeds
# Swagger UI into the gateway (served at /docs by gateway/http/gw_docs.c):
# swagger-ui-bundle.js and swagger-ui.css of npm's swagger-ui-dist, pinned
# in scripts/node/package-lock.json and installed by scripts/deps.sh into
# HR_NODE_DEPS_DIR (.deps/node), plus this folder's index.html (which
# names the version: the assets' cache key) and init.js, and swagger-ui's
# LICENSE, NOTICE and its bundle's third-party licenses (Apache-2.0 asks
# for them where it is redistributed).  Never downloads.
# Without swagger-ui-dist the gateway still builds and /docs answers 503.
# Sets GW_DOCS_C: the generated sources to add to hr_gateway.
set(HR_NODE_DEPS_DIR ${CMAKE_SOURCE_DIR}/.deps/node CACHE PATH
    "Where scripts/deps.sh installed scripts/node/package-lock.json (npm ci)")
set(swagger_dist ${HR_NODE_DEPS_DIR}/node_modules/swagger-ui-dist)
set(GW_DOCS_C "")
# deps.sh rewrites the installed lock copy when it (re)installs: configure again then.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CMAKE_SOURCE_DIR}/scripts/node/package-lock.json)
if(EXISTS ${swagger_dist}/package.json AND EXISTS ${swagger_dist}/swagger-ui-bundle.js
   AND EXISTS ${swagger_dist}/swagger-ui.css AND EXISTS ${swagger_dist}/LICENSE
   AND EXISTS ${swagger_dist}/NOTICE AND EXISTS ${swagger_dist}/swagger-ui-bundle.js.LICENSE.txt)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${swagger_dist}/package.json)
  file(READ ${swagger_dist}/package.json swagger_pkg)
  string(JSON SWAGGER_UI_VERSION GET "${swagger_pkg}" version)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/index.html ${CMAKE_CURRENT_BINARY_DIR}/docs/index.html @ONLY)
  set(inputs ${CMAKE_CURRENT_BINARY_DIR}/docs/index.html ${CMAKE_CURRENT_LIST_DIR}/init.js
             ${swagger_dist}/swagger-ui-bundle.js ${swagger_dist}/swagger-ui.css
             ${swagger_dist}/LICENSE ${swagger_dist}/NOTICE ${swagger_dist}/swagger-ui-bundle.js.LICENSE.txt)
  foreach(in ${inputs})
    get_filename_component(file ${in} NAME)
    string(REGEX REPLACE "[^a-zA-Z0-9]" "_" symbol "gw_docs_${file}")
    set(out ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DIN=${in} -DOUT=${out} -DNAME=${symbol}
              -P ${CMAKE_SOURCE_DIR}/gateway/embed_file.cmake
      DEPENDS ${in} ${CMAKE_SOURCE_DIR}/gateway/embed_file.cmake
      COMMENT "Embedding ${file} (Swagger UI ${SWAGGER_UI_VERSION})")
    list(APPEND GW_DOCS_C ${out})
  endforeach()
  set_source_files_properties(${CMAKE_SOURCE_DIR}/gateway/http/gw_docs.c PROPERTIES
                              COMPILE_DEFINITIONS GW_DOCS_SWAGGER_UI_VERSION="${SWAGGER_UI_VERSION}")
  set(HR_DOCS_EMBEDDED 1 CACHE INTERNAL "the gateway embeds Swagger UI (tests/client)")
  message(STATUS "Swagger UI ${SWAGGER_UI_VERSION} from ${swagger_dist}: served at /docs")
else()
  set(HR_DOCS_EMBEDDED 0 CACHE INTERNAL "the gateway embeds Swagger UI (tests/client)")
  message(WARNING "swagger-ui-dist is not in ${HR_NODE_DEPS_DIR}: the gateway answers /docs with 503. "
                  "Run scripts/deps.sh (npm ci of scripts/node/package-lock.json), then cmake again.")
endif()
