# Test helpers shared by every tests/ folder.
#
# Labels: unit (anywhere), root (needs root: BPF, netns), interop (strongSwan in
# netns), vm (qemu with Debian's kernel), fuzz (libFuzzer, bounded time).
# Tests that cannot run here skip with a message: gtest GTEST_SKIP() << "why", and
# scripts exit 77 after printing why.
if(ANSWERD_TESTS)
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# answerd_gtest(NAME SOURCES... LIBS... [LABELS...])
function(answerd_gtest name)
  if(NOT ANSWERD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# answerd_script_test(NAME COMMAND... [LABELS...] [TIMEOUT s])
# Exit 77 means skipped.
function(answerd_script_test name)
  if(NOT ANSWERD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" SKIP_RETURN_CODE 77
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "ANSWERD_BUILD_DIR=${CMAKE_BINARY_DIR};ANSWERD_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# answerd_fuzzer(NAME SOURCES... LIBS... [CORPUS dir] [DICT file]) builds a libFuzzer harness
# when ANSWERD_FUZZ is on and runs it for ANSWERD_FUZZ_SECONDS under ctest, starting
# from a copy of the seed corpus (the seeds in the source tree are never modified).
function(answerd_fuzzer name)
  if(NOT ANSWERD_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "CORPUS;DICT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  set(work ${CMAKE_BINARY_DIR}/fuzz-corpus/${name})
  add_test(NAME ${name}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzzer $<TARGET_FILE:${name}>
            ${ANSWERD_FUZZ_SECONDS} ${work} "${F_CORPUS}" "${F_DICT}")
  set_tests_properties(${name} PROPERTIES LABELS fuzz
    TIMEOUT 900)
endfunction()
