# Runs check_ctest_entries.cmake on the fixture test directories (tests/meta/CMakeLists.txt)
# and requires it to pass on the sound one and to fail, naming the cause, on each other one.
#
#   cmake -D CTEST=... -D FIXTURES=dir -D CHECK=check_ctest_entries.cmake -P check_the_check.cmake
cmake_minimum_required(VERSION 3.25)

set(problems 0)
function(expect fixture want_pass want_line)
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -D "CTEST=${CTEST}" -D "TEST_DIR=${FIXTURES}/${fixture}"
            -P "${CHECK}"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  set(text "${out}${err}")
  set(ok TRUE)
  if(want_pass AND NOT rc EQUAL 0)
    set(ok FALSE)
  elseif(NOT want_pass AND rc EQUAL 0)
    set(ok FALSE)
  endif()
  string(FIND "${text}" "${want_line}" at)
  if(at EQUAL -1)
    set(ok FALSE)
  endif()
  if(ok)
    message("as expected on ${fixture}: exit status ${rc}, reported \"${want_line}\"")
  else()
    message("WRONG on ${fixture}: exit status ${rc}, wanted ${want_pass} and \"${want_line}\"; "
            "it printed:\n${text}")
    math(EXPR n "${problems} + 1")
    set(problems ${n} PARENT_SCOPE)
  endif()
endfunction()

expect(sound TRUE "every Catch2 entry matches at least one test case")
expect(unmatched FALSE "FAIL: ctest entry \"fixture: fewer are not enough\" runs no test case")
expect(no_warn FALSE "FAIL: ctest entry \"fixture: an entry without the flag\" runs without --warn NoTests")
expect(empty FALSE "FAIL: ctest lists no test")
if(problems GREATER 0)
  message(FATAL_ERROR "the entry check misjudged ${problems} of 4 fixtures")
endif()
