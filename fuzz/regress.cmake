# fuzz/regress.cmake — included from tests/CMakeLists.txt in the normal
# (gcc) build: each fuzz target's LLVMFuzzerTestOneInput linked with a plain
# main() that feeds it every file of fuzz/corpus/<t>/ and fuzz/regress/<t>/
# (crashes found by fuzzing are kept there).  Under the Sanitize build a
# regression aborts the test.
include_guard(GLOBAL)
set(HR_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
include(${HR_FUZZ_DIR}/targets.cmake)
hr_fuzz_available(HR_FUZZ_REGRESS)
foreach(t ${HR_FUZZ_REGRESS})
  add_executable(fuzz_regress_${t} ${HR_FUZZ_DIR}/fuzz_${t}.c ${HR_FUZZ_DIR}/regress_main.c)
  hr_fuzz_configure(fuzz_regress_${t} ${t})
  hr_add_test(NAME fuzz_regress_${t}
              COMMAND fuzz_regress_${t} ${HR_FUZZ_DIR}/corpus/${t} ${HR_FUZZ_DIR}/regress/${t}
              LABELS fuzz)
endforeach()
