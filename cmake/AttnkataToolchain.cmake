# Flags for graded code (test objects, the test main, reference and learner files: all compiled alike),
# the fast linker, and the warnings target for toolkit code.
include(CheckCXXSourceRuns)
include(CheckLinkerFlag)

# -O1: compiles as fast as -O0 with the precompiled header and runs Eigen code 40-55x faster (performance.md).
set(ATTNKATA_GRADE_OPTIONS -O1)

# AVX2 + FMA where the CPU has them (not -march=native: AVX-512 is slower here and compiles slower).
check_cxx_source_runs([=[
int main() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 0 : 1; }
]=] ATTNKATA_HAVE_AVX2_FMA)
if(ATTNKATA_HAVE_AVX2_FMA)
  list(APPEND ATTNKATA_GRADE_OPTIONS -mavx2 -mfma)
endif()

if(ATTNKATA_SANITIZE)
  list(APPEND ATTNKATA_GRADE_OPTIONS -fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  set(ATTNKATA_SANITIZE_LINK -fsanitize=address,undefined)
endif()

# mold, else lld, else the default linker: linking a graded binary takes 23 / 40 / 100 ms.
set(ATTNKATA_LINKER_FLAG "")
foreach(linker mold lld)
  check_linker_flag(CXX "-fuse-ld=${linker}" ATTNKATA_HAVE_LD_${linker})
  if(ATTNKATA_HAVE_LD_${linker})
    set(ATTNKATA_LINKER_FLAG "-fuse-ld=${linker}")
    add_link_options(${ATTNKATA_LINKER_FLAG})
    break()
  endif()
endforeach()

# Graded code: the shared types, Eigen as a system include, the grading runtime headers.
add_library(attnkata_graded INTERFACE)
target_include_directories(attnkata_graded INTERFACE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/harness/runtime)
target_link_libraries(attnkata_graded INTERFACE Eigen3::Eigen)
target_compile_options(attnkata_graded INTERFACE ${ATTNKATA_GRADE_OPTIONS})

# Warnings for toolkit code; learners get -Wall -Wextra without -Werror (see attnkata_write_toolkit_config).
add_library(attnkata_warnings INTERFACE)
target_compile_options(attnkata_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Woverloaded-virtual -Wcast-align $<$<BOOL:${ATTNKATA_WERROR}>:-Werror>
                       # tests write check_a & check_b on purpose: both checks run and report
                       $<$<CXX_COMPILER_ID:Clang>:-Wno-bitwise-instead-of-logical>)

# The full compile command line CMake gives graded targets, so the CLI compiles learner files identically.
function(attnkata_graded_command_flags out)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  separate_arguments(base UNIX_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${config}}")
  set(${out} ${base} ${CMAKE_CXX20_STANDARD_COMPILE_OPTION} ${ATTNKATA_GRADE_OPTIONS} PARENT_SCOPE)
endfunction()
