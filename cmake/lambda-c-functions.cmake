# lambda_c_add_function(NAME SOURCES src.c... [LIBRARIES aws ...] [EXECUTABLE])
#
# Builds a Lambda function from SOURCES against the lambda-c SDK and packages it:
#   NAME.so (Handler NAME.handler) or, with EXECUTABLE or a source named bootstrap.c, the
#   executable `bootstrap` (executable mode), linked with lambda-c::core and the LIBRARIES
#   given by short name (aws -> lambda-c::aws) or as targets;
#   checked against Lambda's glibc (LAMBDA_C_GLIBC), stripped into
#   ${CMAKE_CURRENT_BINARY_DIR}/NAME.zip, with the debug information in NAME.debug beside it.
# The SDK adds only -fPIC/-shared (or -pie), its include path and -Wl,-z,defs; a call into an
# SDK library the function does not link fails the link, and the message names the library.
# The target NAME is an ordinary target: add your own options, sources and libraries to it.
function(lambda_c_add_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "EXECUTABLE" "" "SOURCES;LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "lambda_c_add_function(${name}): no SOURCES")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lambda_c_add_function(${name}): unexpected ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(executable ${ARG_EXECUTABLE})
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(base "${src}" NAME)
    if(base STREQUAL "bootstrap.c")
      set(executable TRUE)
    endif()
  endforeach()

  set(stage "${CMAKE_CURRENT_BINARY_DIR}/lambda-c/${name}")
  if(executable)
    add_executable(${name} ${ARG_SOURCES})
    set_target_properties(${name} PROPERTIES OUTPUT_NAME bootstrap RUNTIME_OUTPUT_DIRECTORY "${stage}"
                          POSITION_INDEPENDENT_CODE ON)
    target_link_options(${name} PRIVATE -pie)
    set(file bootstrap)
  else()
    add_library(${name} MODULE ${ARG_SOURCES})
    set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".so" LIBRARY_OUTPUT_DIRECTORY "${stage}")
    set(file ${name}.so)
  endif()
  # No RUNPATH into the SDK: on Lambda the libraries come from the layer (/opt/lib).
  set_target_properties(${name} PROPERTIES SKIP_BUILD_RPATH ON BUILD_WITH_INSTALL_RPATH OFF INSTALL_RPATH ""
                        RULE_LAUNCH_LINK "${LAMBDA_C_PREFIX}/bin/lambda-c link --")
  target_link_options(${name} PRIVATE -Wl,-z,defs)
  set(libs lambda-c::core)
  foreach(lib IN LISTS ARG_LIBRARIES)
    if(TARGET ${lib})
      list(APPEND libs ${lib})
    elseif(TARGET lambda-c::${lib})
      list(APPEND libs lambda-c::${lib})
    else()
      message(FATAL_ERROR "lambda_c_add_function(${name}): no SDK library '${lib}' "
                          "(this SDK has: ${LAMBDA_C_LIBRARIES})")
    endif()
  endforeach()
  target_link_libraries(${name} PRIVATE ${libs})

  # Package: glibc check, debug file, strip, zip (the lambda-c command, Python 3).
  set(zip "${CMAKE_CURRENT_BINARY_DIR}/${name}.zip")
  set(packaged "${CMAKE_CURRENT_BINARY_DIR}/lambda-c/${name}.package/${file}")
  add_custom_command(OUTPUT "${zip}" "${CMAKE_CURRENT_BINARY_DIR}/${name}.debug"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/lambda-c/${name}.package"
    COMMAND "${CMAKE_COMMAND}" -E copy "$<TARGET_FILE:${name}>" "${packaged}"
    COMMAND "${LAMBDA_C_PREFIX}/bin/lambda-c" package "${packaged}"
            --debug "${CMAKE_CURRENT_BINARY_DIR}/${name}.debug" --zip "${zip}"
    DEPENDS ${name}
    COMMENT "lambda-c: packaging ${name}.zip"
    VERBATIM)
  add_custom_target(${name}-zip ALL DEPENDS "${zip}")
endfunction()
