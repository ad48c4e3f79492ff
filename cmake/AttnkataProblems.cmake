# Problem discovery: every problems/pNN_slug/ gets an object library pNN_tests built from its tests.cpp.
# No per-problem CMakeLists.txt; adding a problem directory is enough (re-globbed on every build).

# The doctest main with the result-channel reporter and the prebuilt Eigen kernels, linked into every graded binary.
add_library(attnkata_test_main OBJECT ${PROJECT_SOURCE_DIR}/harness/runtime/test_main.cpp
                                      ${PROJECT_SOURCE_DIR}/harness/runtime/eigen_kernels.cpp)
target_link_libraries(attnkata_test_main PRIVATE attnkata_graded attnkata_warnings doctest::doctest)

# A precompiled header (Eigen, doctest, the check helpers) shared by the test objects, at each optimisation level:
# a problem's tests are compiled like its learner files (problem.json "optimize": -O1, else -O0, which compiles them
# in half the time; those tests run in milliseconds either way).
foreach(level optimized quick)
  add_library(attnkata_tests_pch_${level} OBJECT ${PROJECT_SOURCE_DIR}/harness/runtime/tests_pch.cpp)
  target_link_libraries(attnkata_tests_pch_${level} PRIVATE attnkata_graded attnkata_warnings doctest::doctest)
  target_precompile_headers(attnkata_tests_pch_${level} PRIVATE ${PROJECT_SOURCE_DIR}/harness/runtime/tests_pch.h)
endforeach()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(attnkata_tests_pch_quick PRIVATE -O0)  # after the graded -O1, so it wins
endif()

# Glob the tests.cpp files, not the directories: a directory created before its tests.cpp is then picked up
# as soon as the file appears.
file(GLOB ATTNKATA_PROBLEM_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/problems/p[0-9][0-9]_*/tests.cpp)
set(ATTNKATA_PROBLEM_IDS "")
foreach(tests IN LISTS ATTNKATA_PROBLEM_TESTS)
  get_filename_component(dir ${tests} DIRECTORY)
  get_filename_component(name ${dir} NAME)
  string(SUBSTRING ${name} 0 3 id)
  add_library(${id}_tests OBJECT ${dir}/tests.cpp)
  target_include_directories(${id}_tests PRIVATE ${dir})
  target_link_libraries(${id}_tests PRIVATE attnkata_graded attnkata_warnings doctest::doctest)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${dir}/problem.json)
  file(READ ${dir}/problem.json meta)
  string(JSON optimize ERROR_VARIABLE no_key GET "${meta}" optimize)
  if(optimize STREQUAL "ON" OR CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_precompile_headers(${id}_tests REUSE_FROM attnkata_tests_pch_optimized)
  else()
    target_precompile_headers(${id}_tests REUSE_FROM attnkata_tests_pch_quick)
    target_compile_options(${id}_tests PRIVATE -O0)
  endif()
  list(APPEND ATTNKATA_PROBLEM_IDS ${id})
endforeach()

# The learner precompiled headers: <Eigen/Dense> and the shared types, built with the graded flags, one per
# optimisation level a learner's file is compiled at: "optimized" (-O1, for problems whose tests are heavy: problem.json
# "optimize": true) and "quick" (-O0, the others: it compiles about twice as fast). With clang the header's templates
# are instantiated in the PCH and their code compiled once, at -O1 for both levels, into an object every graded binary
# links (-fpch-codegen): a learner's -O0 file calls fast code for the expressions it shares with the header. With g++
# (no -fpch-codegen, and -O0 compiles no faster) both levels are the same -O1 .gch.
attnkata_graded_command_flags(ATTNKATA_GRADE_COMPILE_FLAGS)
list(TRANSFORM ATTNKATA_GRADE_COMPILE_FLAGS REPLACE "^-O1$" "-O0" OUTPUT_VARIABLE ATTNKATA_QUICK_COMPILE_FLAGS)
get_target_property(ATTNKATA_EIGEN_INCLUDES Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
set(ATTNKATA_PCH_DIR ${CMAKE_BINARY_DIR}/pch)
set(ATTNKATA_PCH ${ATTNKATA_PCH_DIR}/learner_pch.h)
set(pch_includes -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/harness/runtime)
foreach(inc IN LISTS ATTNKATA_EIGEN_INCLUDES)
  list(APPEND pch_includes -isystem ${inc})
endforeach()
set(pch_depends ${PROJECT_SOURCE_DIR}/harness/runtime/learner_pch.h ${PROJECT_SOURCE_DIR}/include/attnkata/attn.h
    ${PROJECT_SOURCE_DIR}/harness/runtime/attnkata/eigen_kernels.h)
add_custom_command(
  OUTPUT ${ATTNKATA_PCH}
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/harness/runtime/learner_pch.h ${ATTNKATA_PCH}
  DEPENDS ${pch_depends} VERBATIM)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  foreach(level optimized quick)
    set(flags ${ATTNKATA_GRADE_COMPILE_FLAGS})
    if(level STREQUAL "quick")
      set(flags ${ATTNKATA_QUICK_COMPILE_FLAGS})
    endif()
    set(pch ${ATTNKATA_PCH_DIR}/learner_pch_${level}.pch)
    set(object ${ATTNKATA_PCH_DIR}/learner_pch_${level}.o)
    add_custom_command(
      OUTPUT ${pch} ${object}
      COMMAND ${CMAKE_CXX_COMPILER} ${flags} ${pch_includes} -fpch-instantiate-templates -fpch-codegen
              -x c++-header ${ATTNKATA_PCH} -o ${pch}
      COMMAND ${CMAKE_CXX_COMPILER} ${ATTNKATA_GRADE_COMPILE_FLAGS} -c ${pch} -o ${object}
      DEPENDS ${ATTNKATA_PCH}
      COMMENT "Precompiling the learner header (${level})"
      VERBATIM COMMAND_EXPAND_LISTS)
    add_custom_target(attnkata_learner_pch_${level} DEPENDS ${pch} ${object})
    set(ATTNKATA_LEARNER_${level}_FLAGS ${flags})
    set(ATTNKATA_LEARNER_${level}_PCH_FLAGS -include-pch ${pch})
    set(ATTNKATA_LEARNER_${level}_OBJECTS ${object})
  endforeach()
else()
  add_custom_command(
    OUTPUT ${ATTNKATA_PCH}.gch
    COMMAND ${CMAKE_CXX_COMPILER} ${ATTNKATA_GRADE_COMPILE_FLAGS} ${pch_includes} -x c++-header ${ATTNKATA_PCH}
            -o ${ATTNKATA_PCH}.gch
    DEPENDS ${ATTNKATA_PCH}
    COMMENT "Precompiling the learner header"
    VERBATIM COMMAND_EXPAND_LISTS)
  foreach(level optimized quick)
    add_custom_target(attnkata_learner_pch_${level} DEPENDS ${ATTNKATA_PCH}.gch)
    set(ATTNKATA_LEARNER_${level}_FLAGS ${ATTNKATA_GRADE_COMPILE_FLAGS})
    set(ATTNKATA_LEARNER_${level}_PCH_FLAGS -Winvalid-pch -include ${ATTNKATA_PCH})
    set(ATTNKATA_LEARNER_${level}_OBJECTS "")
  endforeach()
endif()
# each level its own target, so that a first grade builds only the one it needs
add_custom_target(attnkata_learner_pch ALL)
add_dependencies(attnkata_learner_pch attnkata_learner_pch_optimized attnkata_learner_pch_quick)

# out = ARGN as a JSON array of strings.
function(attnkata_json_array out)
  set(items "")
  foreach(item IN LISTS ARGN)
    string(APPEND items "\"${item}\", ")
  endforeach()
  string(REGEX REPLACE ", $" "" items "${items}")
  set(${out} "[${items}]" PARENT_SCOPE)
endfunction()

# build/<preset>/attnkata-toolkit.json: everything the CLI needs to compile, link and run a graded binary.
function(attnkata_write_toolkit_config)
  set(q "\"")
  list(JOIN ATTNKATA_GRADE_COMPILE_FLAGS "${q}, ${q}" flags)
  set(problems "")
  foreach(id IN LISTS ATTNKATA_PROBLEM_IDS)
    string(APPEND problems "    ${q}${id}${q}: [${q}$<JOIN:$<TARGET_OBJECTS:${id}_tests>,${q}$<COMMA> ${q}>${q}],\n")
  endforeach()
  string(REGEX REPLACE ",\n$" "\n" problems "${problems}")
  set(link "")
  foreach(f IN ITEMS ${ATTNKATA_LINKER_FLAG} ${ATTNKATA_SANITIZE_LINK})
    string(APPEND link "${q}${f}${q}, ")
  endforeach()
  string(REGEX REPLACE ", $" "" link "${link}")
  set(eigen "")
  foreach(inc IN LISTS ATTNKATA_EIGEN_INCLUDES)
    string(APPEND eigen "${q}${inc}${q}, ")
  endforeach()
  string(REGEX REPLACE ", $" "" eigen "${eigen}")
  set(learner_builds "")
  foreach(level optimized quick)
    attnkata_json_array(f ${ATTNKATA_LEARNER_${level}_FLAGS})
    attnkata_json_array(p ${ATTNKATA_LEARNER_${level}_PCH_FLAGS})
    attnkata_json_array(o ${ATTNKATA_LEARNER_${level}_OBJECTS})
    string(APPEND learner_builds
           "    ${q}${level}${q}: {${q}compile_flags${q}: ${f}, ${q}pch_flags${q}: ${p}, ${q}objects${q}: ${o}, ${q}target${q}: ${q}attnkata_learner_pch_${level}${q}},\n")
  endforeach()
  string(REGEX REPLACE ",\n$" "\n" learner_builds "${learner_builds}")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/attnkata-toolkit.json CONTENT
"{
  ${q}version${q}: ${q}${PROJECT_VERSION}${q},
  ${q}source_dir${q}: ${q}${PROJECT_SOURCE_DIR}${q},
  ${q}build_dir${q}: ${q}${CMAKE_BINARY_DIR}${q},
  ${q}build_program${q}: ${q}${CMAKE_MAKE_PROGRAM}${q},
  ${q}compiler${q}: ${q}${CMAKE_CXX_COMPILER}${q},
  ${q}compile_flags${q}: [${q}${flags}${q}],
  ${q}learner_flags${q}: [${q}-Wall${q}, ${q}-Wextra${q}, ${q}-Wno-unused-parameter${q}],
  ${q}include_dirs${q}: [${q}${PROJECT_SOURCE_DIR}/include${q}, ${q}${PROJECT_SOURCE_DIR}/harness/runtime${q}],
  ${q}system_include_dirs${q}: [${eigen}],
  ${q}learner_builds${q}: {
${learner_builds}  },
  ${q}link_flags${q}: [${link}],
  ${q}main_objects${q}: [${q}$<JOIN:$<TARGET_OBJECTS:attnkata_test_main>,${q}$<COMMA> ${q}>${q}],
  ${q}main_target${q}: ${q}attnkata_test_main${q},
  ${q}problem_objects${q}: {
${problems}  }
}
")
endfunction()
