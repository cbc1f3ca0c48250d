# tests/chaos: resilience under fault injection (issue 9 "Chaos").  Each test
# starts its own throwaway PostgreSQL + Redis (stack.sh, own ports) and the
# whole suite, so none uses the shared `stack` fixture.  Included from
# tests/CMakeLists.txt (after hr_http_client is defined).
set(HR_CHAOS_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(hr_chaos_rig STATIC
  ${HR_CHAOS_DIR}/chaos_rig.c ${HR_CHAOS_DIR}/chaos_load.c ${HR_CHAOS_DIR}/chaos_check.c)
target_include_directories(hr_chaos_rig PUBLIC ${HR_CHAOS_DIR})
target_link_libraries(hr_chaos_rig PUBLIC hr_http_client PkgConfig::JANSSON PkgConfig::PQ
  PkgConfig::CHECK Threads::Threads)

file(GLOB HR_CHAOS_TESTS CONFIGURE_DEPENDS ${HR_CHAOS_DIR}/test_*.c)
foreach(src ${HR_CHAOS_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${name})
  add_executable(chaos_${short} ${src})
  target_link_libraries(chaos_${short} hr_chaos_rig)
  hr_add_test(NAME chaos_${short} COMMAND chaos_${short} LABELS chaos)
  # The suite under test is every binary; each test owns its ports.
  set_tests_properties(chaos_${short} PROPERTIES TIMEOUT 180 RESOURCE_LOCK chaos_cpu)
endforeach()
