# Run at build time (cmake -P): writes OUTPUT, the one translation unit that holds the commit this
# edgeloop is built from. configure_file rewrites it only when the commit changed, so a new commit
# recompiles this file alone, not every file of the library (a -D flag would change them all).
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE EDGELOOP_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT EDGELOOP_GIT_COMMIT)
  set(EDGELOOP_GIT_COMMIT unknown)
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
