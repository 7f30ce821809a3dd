# Project-wide warning flags: every target we own builds with -Wall -Wextra -Werror.
function(rating_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()
