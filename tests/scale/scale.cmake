# tests/scale: replicas, several gateways and model swaps under load
# (issue 8 "Scale-out proven locally" and "Schedules").  Reuses the chaos
# rig (tests/chaos/chaos.cmake, included first if needed).
if(NOT TARGET hr_chaos_rig)
  include(${CMAKE_CURRENT_LIST_DIR}/../chaos/chaos.cmake)
endif()
file(GLOB HR_SCALE_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${HR_SCALE_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${name})
  add_executable(scale_${short} ${src})
  target_link_libraries(scale_${short} hr_chaos_rig)
  hr_add_test(NAME scale_${short} COMMAND scale_${short} LABELS scale)
  set_tests_properties(scale_${short} PROPERTIES TIMEOUT 180 RESOURCE_LOCK chaos_cpu)
endforeach()
# Three gateways and ten replicas under ASan: a longer start than the others.
set_tests_properties(scale_mesh PROPERTIES TIMEOUT 300)
