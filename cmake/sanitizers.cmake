# ASan + UBSan for the debug preset: bad-input tests must not crash or read out of bounds.
if(GEMBA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
