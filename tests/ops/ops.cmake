# tests/ops: day-two operations against a private deployment (the chaos rig:
# own PostgreSQL + Redis + every process): backup -> wipe -> restore, and
# `models rollback` reaching every replica.  Included from tests/CMakeLists.txt.
file(GLOB HR_OPS_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${HR_OPS_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${name})
  add_executable(ops_${short} ${src})
  target_link_libraries(ops_${short} hr_chaos_rig)
  hr_add_test(NAME ops_${short} COMMAND ops_${short} LABELS ops)
  set_tests_properties(ops_${short} PROPERTIES TIMEOUT 300 RESOURCE_LOCK chaos_cpu)
endforeach()
