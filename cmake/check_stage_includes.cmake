# cmake -DSOURCE_DIR=... -DSTAGES="core;preprocess;..." -P check_stage_includes.cmake
#
# The include side of the stage order (cmake/stage_order.cmake checks the links): a file under
# src/edgeloop/<stage>/ includes headers of its own stage and earlier ones only. Fails naming
# every file and the later stage it reaches, so a back-include is caught before it becomes a link.
set(back_includes "")
foreach(stage ${STAGES})
  list(FIND STAGES ${stage} own_index)
  file(GLOB files ${SOURCE_DIR}/src/edgeloop/${stage}/*.h ${SOURCE_DIR}/src/edgeloop/${stage}/*.cpp)
  foreach(file ${files})
    file(STRINGS ${file} includes REGEX "^#include \"edgeloop/[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"edgeloop/([a-z_]+)/.*" "\\1" included_stage "${line}")
      list(FIND STAGES ${included_stage} included_index)
      if(included_index GREATER own_index)
        file(RELATIVE_PATH relative ${SOURCE_DIR} ${file})
        list(APPEND back_includes "${relative} (stage ${stage}) includes ${included_stage}, a later stage: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
list(LENGTH back_includes count)
if(count GREATER 0)
  list(JOIN back_includes "\n  " text)
  message(FATAL_ERROR "${count} stage back-include(s):\n  ${text}")
endif()
message(STATUS "every stage includes only itself and earlier stages: ${STAGES}")
