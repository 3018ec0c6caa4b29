# Warnings every gemba target compiles with.
function(gemba_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)
endfunction()
