# The fuzz targets and the libraries each links.  Shared by the libFuzzer
# build (fuzz/CMakeLists.txt) and the regression runners (fuzz/regress.cmake).
# A target whose library is not (yet) built in this tree is skipped.
set(HR_FUZZ_TARGETS validate wire csv events_import http_params json_body replies
    requests query frames merge_model collab_model)
set(HR_FUZZ_LIBS_validate hr_common)
set(HR_FUZZ_LIBS_wire hr_common)
set(HR_FUZZ_LIBS_frames hr_common)
set(HR_FUZZ_LIBS_merge_model hr_common)
set(HR_FUZZ_LIBS_collab_model hr_collab)
set(HR_FUZZ_LIBS_csv hr_common)
set(HR_FUZZ_LIBS_events_import hr_interactions)
set(HR_FUZZ_LIBS_http_params hr_gateway)
set(HR_FUZZ_LIBS_json_body hr_gateway)
set(HR_FUZZ_LIBS_replies hr_common)
set(HR_FUZZ_LIBS_requests hr_content)
set(HR_FUZZ_LIBS_query hr_content)

# hr_fuzz_available(<out-list>): the targets whose source and libraries exist.
function(hr_fuzz_available out)
  set(found)
  foreach(t ${HR_FUZZ_TARGETS})
    set(ok TRUE)
    if(NOT EXISTS ${HR_FUZZ_DIR}/fuzz_${t}.c)
      set(ok FALSE)
    endif()
    foreach(lib ${HR_FUZZ_LIBS_${t}})
      if(NOT TARGET ${lib})
        set(ok FALSE)
      endif()
    endforeach()
    if(ok)
      list(APPEND found ${t})
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Every target gets the source tree's path, to find its fixed data
# (data/catalog-sample.csv, data/synonyms.txt) at start-up.
function(hr_fuzz_configure exe t)
  target_link_libraries(${exe} ${HR_FUZZ_LIBS_${t}})
  target_include_directories(${exe} PRIVATE ${HR_FUZZ_DIR})
  target_compile_definitions(${exe} PRIVATE HR_FUZZ_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                             H2O_USE_LIBUV=0)
endfunction()
