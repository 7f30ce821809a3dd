# cmake -DBENCH=path/to/scale_bench -DWORK=dir -P scale_bench_smoke.cmake
# Runs scale_bench at a toy size and checks its output: exit code 0, every RATIO line with a
# value > 0, and the absolute bytes-per-member-year figure.
file(REMOVE_RECURSE "${WORK}")
execute_process(
  COMMAND "${BENCH}" --members 50 --years 2 --seconds 0.3 --data_dir "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 280)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scale_bench exited with ${rc}: ${err}")
endif()
foreach(name import rebuild restart_snapshot write_16 write_64 get_rating_16 as_of late_ruling)
  string(REGEX MATCH "\nRATIO ${name} ([0-9.eE+-]+)\n" line "\n${out}")
  if(line STREQUAL "")
    message(FATAL_ERROR "no 'RATIO ${name}' line")
  endif()
  if(CMAKE_MATCH_1 LESS_EQUAL 0)
    message(FATAL_ERROR "RATIO ${name} is ${CMAKE_MATCH_1}: a side did not run")
  endif()
endforeach()
if(NOT out MATCHES "\nABS bytes_per_member_year [0-9-]+")
  message(FATAL_ERROR "no 'ABS bytes_per_member_year' line")
endif()
