# Checks that every ctest entry of a build runs at least one test case.
#
#   cmake -D CTEST=/usr/bin/ctest -D TEST_DIR=build -P tests/meta/check_ctest_entries.cmake
#
# For every entry `ctest --show-only=json-v1` lists in TEST_DIR whose program is a Catch2
# executable (it answers `--libidentify` as one), the check runs that program with the
# entry's own arguments plus `--list-test-names-only` and requires:
#   - the entry's filter matches at least one test case (Catch2 lists the matching names and
#     exits with their number), and
#   - the entry runs with `--warn NoTests` (or `-w NoTests`), so that if it ever matched
#     nothing, running it would fail instead of passing with no test run (Catch2 2.x exits 0
#     on "No test cases matched" without that flag).
# Entries of other programs (raft-sim, this check) are counted and named, not inspected.
# The check fails when it finds no entry at all or no Catch2 entry: it cannot pass by
# checking nothing. Each failing entry is reported on its own line, starting with "FAIL:".
cmake_minimum_required(VERSION 3.25)

if(NOT CTEST OR NOT TEST_DIR)
  message(FATAL_ERROR "usage: cmake -D CTEST=path/to/ctest -D TEST_DIR=dir -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

execute_process(
  COMMAND "${CTEST}" --show-only=json-v1
  WORKING_DIRECTORY "${TEST_DIR}"
  OUTPUT_VARIABLE json
  ERROR_VARIABLE json_err
  RESULT_VARIABLE json_rc)
if(NOT json_rc EQUAL 0)
  message(FATAL_ERROR "ctest --show-only=json-v1 in ${TEST_DIR} failed (${json_rc}): ${json_err}")
endif()

string(JSON entries ERROR_VARIABLE no_tests LENGTH "${json}" tests)
if(no_tests OR entries EQUAL 0)
  message(FATAL_ERROR "FAIL: ctest lists no test in ${TEST_DIR}; there is nothing to check")
endif()

set(failures 0)
set(catch_entries 0)
set(other_entries "")
math(EXPR last "${entries} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${json}" tests ${i} name)
  string(JSON argc ERROR_VARIABLE no_command LENGTH "${json}" tests ${i} command)
  if(no_command OR argc EQUAL 0)
    message("FAIL: ctest entry \"${name}\" has no command")
    math(EXPR failures "${failures} + 1")
    continue()
  endif()
  string(JSON program GET "${json}" tests ${i} command 0)
  set(args "")
  set(warns_no_tests FALSE)
  set(previous "")
  set(unlistable FALSE)
  math(EXPR last_arg "${argc} - 1")
  if(last_arg GREATER_EQUAL 1)
    foreach(j RANGE 1 ${last_arg})
      string(JSON arg GET "${json}" tests ${i} command ${j})
      # A `;` would split the argument again here, as it split the names CMake registered.
      string(FIND "${arg}" ";" semicolon)
      if(NOT semicolon EQUAL -1)
        set(unlistable TRUE)
      endif()
      if((previous STREQUAL "--warn" OR previous STREQUAL "-w") AND arg STREQUAL "NoTests")
        set(warns_no_tests TRUE)
      endif()
      list(APPEND args "${arg}")
      set(previous "${arg}")
    endforeach()
  endif()

  # Is the program a Catch2 executable? Asked once per program.
  string(MAKE_C_IDENTIFIER "${program}" key)
  if(NOT DEFINED is_catch_${key})
    set(is_catch_${key} FALSE)
    if(EXISTS "${program}" AND NOT IS_DIRECTORY "${program}")
      execute_process(COMMAND "${program}" --libidentify
                      OUTPUT_VARIABLE ident ERROR_QUIET RESULT_VARIABLE ident_rc)
      if(ident_rc EQUAL 0 AND ident MATCHES "A Catch2 test executable")
        set(is_catch_${key} TRUE)
      endif()
    elseif(NOT program MATCHES "/")
      # A bare command name is looked up on PATH by ctest: not one of our test programs.
    else()
      message("FAIL: ctest entry \"${name}\": ${program} does not exist (not built?)")
      math(EXPR failures "${failures} + 1")
      continue()
    endif()
  endif()
  if(NOT is_catch_${key})
    list(APPEND other_entries "${name}")
    continue()
  endif()

  math(EXPR catch_entries "${catch_entries} + 1")
  if(unlistable)
    message("FAIL: ctest entry \"${name}\" has an argument containing `;`")
    math(EXPR failures "${failures} + 1")
    continue()
  endif()
  if(NOT warns_no_tests)
    message("FAIL: ctest entry \"${name}\" runs without --warn NoTests, so a name matching "
            "no test case would pass")
    math(EXPR failures "${failures} + 1")
  endif()
  execute_process(COMMAND "${program}" ${args} --list-test-names-only
                  OUTPUT_VARIABLE listed ERROR_VARIABLE list_err RESULT_VARIABLE listed_rc)
  # Catch2 prints one matching name per line and exits with their number (at most 255).
  string(REGEX MATCHALL "[^\n]+" names "${listed}")
  list(LENGTH names count)
  set(expected_rc ${count})
  if(count GREATER 255)
    set(expected_rc 255)
  endif()
  if(count EQUAL 0 OR NOT listed_rc EQUAL expected_rc)
    get_filename_component(program_name "${program}" NAME)
    list(JOIN args "\" \"" shown)
    message("FAIL: ctest entry \"${name}\" runs no test case: ${program_name} \"${shown}\" "
            "matches ${count} test cases (exit status ${listed_rc}) ${list_err}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()

list(LENGTH other_entries others)
message("checked ${entries} ctest entries: ${catch_entries} run Catch2 test cases, "
        "${others} run other programs (${other_entries})")
if(catch_entries EQUAL 0)
  message(FATAL_ERROR "FAIL: no ctest entry runs a Catch2 executable; there is nothing to check")
endif()
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} of ${entries} ctest entries would run no test case or "
                      "would not fail if they matched none (lines starting with FAIL: above)")
endif()
message("every Catch2 entry matches at least one test case and runs with --warn NoTests")
