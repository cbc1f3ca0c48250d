# dashboard/embed.cmake — included by gateway/CMakeLists.txt: embeds the
# dashboard's static files into the gateway (served by gateway/http/gw_static.c).
# Sets GW_DASHBOARD_C: the generated sources to add to hr_gateway.
set(GW_DASHBOARD_C "")
foreach(file index.html app.js style.css)
  string(REGEX REPLACE "[^a-zA-Z0-9]" "_" symbol "gw_dashboard_${file}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/dashboard/${file} -DOUT=${out}
            -DNAME=${symbol} -P ${CMAKE_SOURCE_DIR}/gateway/embed_file.cmake
    DEPENDS ${CMAKE_SOURCE_DIR}/dashboard/${file} ${CMAKE_SOURCE_DIR}/gateway/embed_file.cmake
    COMMENT "Embedding dashboard/${file}")
  list(APPEND GW_DASHBOARD_C ${out})
endforeach()
