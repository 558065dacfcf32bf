# edgeloop_library(NAME SOURCES a.cpp b.cpp LINKS dep... [TORCH])
#
# Declares the static library `edgeloop_<NAME>` for one stage of the loop (the folder it is declared in). With TORCH the library
# links LibTorch and reuses the shared precompiled LibTorch header; without it LibTorch's headers
# are not even on the include path, which keeps the device binary LibTorch-free by construction.
function(edgeloop_library NAME)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;LINKS" ${ARGN})
  set(target edgeloop_${NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_LINKS})
  # The stage is the folder the library is declared in; cmake/stage_order.cmake checks the links.
  get_filename_component(stage ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  set_property(TARGET ${target} PROPERTY EDGELOOP_STAGE ${stage})
  set_property(GLOBAL APPEND PROPERTY EDGELOOP_STAGE_TARGETS ${target})
  # -Wno-missing-field-initializers: aggregates here give every member a default, and brace-initialising
  # the leading ones is the intended style ({"title", "x", "y"}), not a forgotten field.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
  if(ARG_TORCH)
    target_link_libraries(${target} PUBLIC edgeloop_torch)
    if(TARGET edgeloop_torch_pch)
      target_precompile_headers(${target} REUSE_FROM edgeloop_torch_pch)
    endif()
  endif()
endfunction()

# edgeloop_test(NAME SOURCES a_test.cpp ... LINKS edgeloop_x ...)
# One GoogleTest executable per stage, registered with CTest test by test.
function(edgeloop_test NAME)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;LINKS" ${ARGN})
  set(target edgeloop_${NAME}_tests)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LINKS} edgeloop_test_support GTest::gtest GTest::gtest_main)
  if(ARG_TORCH AND TARGET edgeloop_torch_pch)
    target_precompile_headers(${target} REUSE_FROM edgeloop_torch_pch)
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${NAME})
endfunction()
