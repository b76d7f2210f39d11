# Every .cpp of the library's folders is listed in cmake/sources.cmake (the library is built from that list, not a
# glob: a file missing from it would be left out of the build, or found only by a link error).
#   cmake -DSOURCE_DIR=<repository> -P check_sources.cmake
cmake_minimum_required(VERSION 3.25)
include(${SOURCE_DIR}/cmake/sources.cmake)
file(GLOB_RECURSE found RELATIVE ${SOURCE_DIR}
     ${SOURCE_DIR}/src/api/*.cpp ${SOURCE_DIR}/src/batch/*.cpp ${SOURCE_DIR}/src/core/*.cpp ${SOURCE_DIR}/src/docx/*.cpp
     ${SOURCE_DIR}/src/import/*.cpp ${SOURCE_DIR}/src/io/*.cpp ${SOURCE_DIR}/src/json/*.cpp ${SOURCE_DIR}/src/odt/*.cpp
     ${SOURCE_DIR}/src/zip/*.cpp)
set(missing "")
foreach(file IN LISTS found)
  if(NOT file IN_LIST VANBAN_LIB_SOURCES)
    list(APPEND missing ${file})
  endif()
endforeach()
set(stale "")
foreach(file IN LISTS VANBAN_LIB_SOURCES)
  if(NOT EXISTS ${SOURCE_DIR}/${file})
    list(APPEND stale ${file})
  endif()
endforeach()
list(LENGTH found n)
if(missing OR stale)
  message(FATAL_ERROR "cmake/sources.cmake is out of date. Not listed: ${missing}. Listed but absent: ${stale}.")
endif()
message(STATUS "cmake/sources.cmake lists all ${n} library sources")
