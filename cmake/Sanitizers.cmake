# ASan + UBSan for the whole build; libFuzzer needs clang.
if(ANSWERD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(ANSWERD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ANSWERD_FUZZ needs clang: configure with CXX=clang++ CC=clang")
  endif()
  # Coverage feedback from every library a harness calls, not only from the harness
  # (which alone links -fsanitize=fuzzer). Harmless for the other programs.
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
