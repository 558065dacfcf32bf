# Build speed: ccache when present (with the sloppiness precompiled headers need), and
# precompiled headers per library (see edgeloop_library).
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(EDGELOOP_CCACHE_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${EDGELOOP_CCACHE_LAUNCHER})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${EDGELOOP_CCACHE_LAUNCHER})
  message(STATUS "edgeloop: ccache at ${CCACHE_PROGRAM}")
endif()

# LibTorch's headers dominate compile time; they are precompiled once into this target and
# reused by every library that needs them (target_precompile_headers(... REUSE_FROM ...)).
